package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** FP16 and BF16 conversions: exact round trips of every representable value, rounding, specials. */
class HalfPrecisionTest {

    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short h = (short) bits;
            float f = Half.toFloat(h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))));
                continue;
            }
            assertEquals(h, Half.fromFloat(f), "half 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void halfKnownValuesAndRounding() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals(65504f, Half.toFloat(Half.fromFloat(65504f)));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat(Half.fromFloat(1e6f)), "overflow is infinity");
        assertEquals(0f, Half.toFloat(Half.fromFloat(1e-10f)), "underflow is zero");
        assertEquals(5.9604645e-8f, Half.toFloat((short) 1), "smallest subnormal");
        assertEquals(1f + 0x1p-10f, Half.toFloat(Half.fromFloat(1f + 0x1p-10f + 0x1p-13f)), "nearest");
    }

    @Test
    void everyBFloat16RoundTripsThroughFloat() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short b = (short) bits;
            float f = BFloat16.toFloat(b);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(f))));
                continue;
            }
            assertEquals(b, BFloat16.fromFloat(f), "bf16 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, BFloat16.fromFloat(1f));
        assertEquals(1f, BFloat16.toFloat(BFloat16.fromFloat(1f + 0x1p-8f)), "a tie goes to the even mantissa");
        assertEquals(1f + 0x1p-6f, BFloat16.toFloat(BFloat16.fromFloat(1f + 0x1p-7f + 0x1p-8f)), "tie up to even");
        assertEquals(1f + 0x1p-7f, BFloat16.toFloat(BFloat16.fromFloat(1f + 0x1p-7f - 0x1p-12f)), "nearest");
        assertEquals(Float.NEGATIVE_INFINITY, BFloat16.toFloat(BFloat16.fromFloat(-Float.MAX_VALUE)));
        assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.NaN))));
        // a NaN whose payload sits only in the low half must not become infinity
        assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))));
    }

    @Test
    void bf16TensorElementsConvert() {
        Tensor t = Tensor.allocate(DataType.BF16, new long[] {2});
        t.setDouble(0, 3.140625);
        t.setDouble(1, -0.5);
        assertEquals(3.140625, t.getDouble(0));
        assertEquals(-0.5, t.getDouble(1));
        assertTrue(DataType.BF16.isFloatingPoint());
        assertEquals(DataType.BF16, DataType.fromName("bf16"));
    }
}
