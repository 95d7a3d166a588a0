package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The messages a client gets when its tensors do not fit the model: they name the input and what it needs. */
class InputValidationTest {
    private static final Signature SIG = Signature.infer(
            List.of(new TensorSpec("image", DataType.FP32, new long[] {-1, 3}),
                    new TensorSpec("mask", DataType.BOOL, new long[] {-1, 3})),
            List.of(new TensorSpec("scores", DataType.FP32, new long[] {-1, 2})));

    private static String message(Map<String, Tensor> inputs) {
        return assertThrows(InvalidInputException.class, () -> InputValidation.check(SIG, inputs)).getMessage();
    }

    private static Tensor mask(long rows) {
        return Tensor.allocate(DataType.BOOL, new long[] {rows, 3});
    }

    @Test
    void fittingInputsPass() {
        InputValidation.check(SIG, Map.of("image", Tensor.ofFloats(new long[] {2, 3}, new float[6]), "mask", mask(2)));
    }

    @Test
    void anUnknownInputIsNamedWithTheModelsInputs() {
        assertEquals("unknown input 'img'; the model's inputs are [image, mask]",
                message(Map.of("img", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3), "mask", mask(1))));
    }

    @Test
    void aMissingInputIsNamedWithItsSpec() {
        assertEquals("missing input 'mask' (mask:BOOL[-1, 3])",
                message(Map.of("image", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3))));
    }

    @Test
    void aWrongDatatypeNamesBoth() {
        assertEquals("input 'image' has datatype INT64 but the model expects FP32",
                message(Map.of("image", Tensor.ofLongs(new long[] {1, 3}, 1, 2, 3), "mask", mask(1))));
    }

    @Test
    void aWrongShapeNamesBothAndWhatMinusOneMeans() {
        assertEquals("input 'image' has shape [1, 4] but the model expects [-1, 3] (-1 = any size)",
                message(Map.of("image", Tensor.ofFloats(new long[] {1, 4}, 1, 2, 3, 4), "mask", mask(1))));
        assertEquals("input 'image' has shape [3] but the model expects [-1, 3] (-1 = any size)",
                message(Map.of("image", Tensor.ofFloats(new long[] {3}, 1, 2, 3), "mask", mask(1))));
    }

    @Test
    void bytesAreRefusedForANumericInput() {
        assertEquals("input 'image' has datatype BYTES but the model expects FP32",
                message(Map.of("image", Tensor.ofBytes(new long[] {1, 3}, List.of(new byte[1], new byte[1], new byte[1])),
                        "mask", mask(1))));
    }

    @Test
    void aColumnOfIntegersRefusesMissingAndFractionalValues() {
        Signature sig = Signature.infer(List.of(new TensorSpec("age", DataType.INT64, new long[] {-1, 1})), List.of());
        Map<String, InputValidation.Rule> rules = Map.of("age", InputValidation.Rule.COLUMN);
        Map<String, Tensor> ok = InputValidation.conform(sig, rules, Map.of("age", Tensor.ofDoubles(new long[] {2}, 3, 40)));
        assertEquals(40, ok.get("age").getLong(1));
        assertEquals(List.of(2L, 1L), java.util.Arrays.stream(ok.get("age").shape()).boxed().toList());
        InvalidInputException missing = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> InputValidation.conform(sig, rules, Map.of("age", Tensor.ofDoubles(new long[] {1}, Double.NaN))));
        org.junit.jupiter.api.Assertions.assertTrue(missing.getMessage().contains("'age'"), missing.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> InputValidation.conform(sig, rules, Map.of("age", Tensor.ofDoubles(new long[] {1}, 2.7))));
    }
}
