package com.modelfactory.runtime.engine;

/**
 * bfloat16 conversion: the upper half of an IEEE 754 float (same exponent range, 8 bits of mantissa),
 * as TensorFlow, PyTorch and ONNX store it.
 */
public final class BFloat16 {
    private BFloat16() {
    }

    /** Exact: every bfloat16 is a float. */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** Rounds to nearest, ties to even; overflow becomes infinity; NaN stays a (quiet) NaN. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
