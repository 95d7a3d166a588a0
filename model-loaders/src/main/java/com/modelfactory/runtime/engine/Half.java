package com.modelfactory.runtime.engine;

/** IEEE 754 half-precision conversion for Java 17 (Float.float16ToFloat arrived in Java 20). */
public final class Half {
    private Half() {
    }

    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Rounds to nearest; overflow becomes infinity, underflow zero. */
    public static short fromFloat(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        int val = (bits & 0x7fffffff) + 0x1000;
        if (val >= 0x47800000) {
            return (short) (sign | 0x7c00);
        }
        if (val >= 0x38800000) {
            return (short) (sign | ((val - 0x38000000) >>> 13));
        }
        if (val < 0x33000000) {
            return (short) sign;
        }
        int exp = (bits & 0x7fffffff) >>> 23;
        return (short) (sign | (((bits & 0x7fffff) | 0x800000) + (0x800000 >>> (exp - 102)) >>> (126 - exp)));
    }
}
