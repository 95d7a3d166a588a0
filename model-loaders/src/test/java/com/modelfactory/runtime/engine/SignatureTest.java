package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch-axis rule of {@link Signature#infer}. */
class SignatureTest {

    private static TensorSpec spec(String name, long... shape) {
        return new TensorSpec(name, DataType.FP32, shape);
    }

    private static Signature infer(TensorSpec... inputs) {
        return Signature.infer(List.of(inputs), List.of(spec("y", -1, 10)));
    }

    @Test
    void aDynamicFirstDimensionOnEveryInputIsABatchAxisWithoutCap() {
        Signature s = infer(spec("a", -1, 3), spec("b", -1));
        assertTrue(s.batched());
        assertEquals(-1, s.maxBatch());
    }

    @Test
    void aFixedFirstDimensionCapsTheBatch() {
        Signature s = infer(spec("a", 8, 3), spec("b", -1, 2));
        assertTrue(s.batched());
        assertEquals(8, s.maxBatch());
        Signature one = infer(spec("a", 1, 224, 224, 3));
        assertTrue(one.batched(), "a first dimension of 1 is still the batch axis");
        assertEquals(1, one.maxBatch());
    }

    @Test
    void disagreeingFixedFirstDimensionsAreNoBatchAxis() {
        Signature s = infer(spec("a", 4, 3), spec("b", 8, 3));
        assertFalse(s.batched());
        assertEquals(0, s.maxBatch());
    }

    @Test
    void scalarsUnknownShapesAndNoInputsAreNotBatched() {
        assertFalse(infer(spec("a", -1, 3), spec("scalar")).batched(), "a rank-0 input has no batch axis");
        assertFalse(infer(new TensorSpec("a", DataType.FP32, null)).batched(), "unknown shape");
        assertFalse(Signature.infer(List.of(), List.of()).batched());
    }

    @Test
    void looksUpByNameAndReportsWhetherShapesAreKnown() {
        Signature s = infer(spec("a", -1, 3), new TensorSpec("b", DataType.INT64, null));
        assertEquals(DataType.INT64, s.input("b").dataType());
        assertEquals(null, s.input("nope"));
        assertEquals("y", s.output("y").name());
        assertFalse(s.shapesKnown());
    }
}
