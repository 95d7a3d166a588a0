package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What {@link Engines#load} adds around every engine's model, shown with a fake engine. */
class EnginesWrapperTest {
    private static final Signature SIG = Signature.infer(
            List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
            List.of(new TensorSpec("first", DataType.FP32, new long[] {-1, 2}),
                    new TensorSpec("second", DataType.FP32, new long[] {-1, 2})));

    /** An engine whose model answers with {@code run}, recording every batch it was given. */
    private static final class FakeEngine implements Engine {
        final List<Map<String, Tensor>> calls = new ArrayList<>();
        final String reported;
        final Map<String, InputValidation.Rule> rules;
        final UnaryOperator<Map<String, Tensor>> run;
        boolean closed;

        FakeEngine(String reported, Map<String, InputValidation.Rule> rules, UnaryOperator<Map<String, Tensor>> run) {
            this.reported = reported;
            this.rules = rules;
            this.run = run;
        }

        @Override
        public String libraryClass() {
            return Object.class.getName();
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public Set<ModelFormat> formats() {
            return Set.of(ModelFormat.ONNX);
        }

        @Override
        public LoadedModel load(ModelFormat format, LoadOptions options) {
            return new LoadedModel() {
                @Override
                public Signature signature() {
                    return SIG;
                }

                @Override
                public String engine() {
                    return reported;
                }

                @Override
                public String device() {
                    return "cpu";
                }

                @Override
                public Map<String, InputValidation.Rule> inputRules() {
                    return rules;
                }

                @Override
                public Predictor newPredictor() {
                    return Predictor.sharedSession(in -> {
                        calls.add(in);
                        return run.apply(in);
                    });
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
        }
    }

    /** Answers "extra", "second", "first" (another order than the signature's, one output too many). */
    private static Map<String, Tensor> unordered(Map<String, Tensor> in) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("extra", in.get("x"));
        out.put("second", in.get("x"));
        out.put("first", in.get("x"));
        return out;
    }

    private static LoadedModel load(FakeEngine engine) throws ModelLoadException {
        return Engines.load(engine, ModelFormat.ONNX, LoadOptions.of(Path.of("model.onnx")));
    }

    private static Tensor rows(int n) {
        return Tensor.ofFloats(new long[] {n, 2}, new float[n * 2]);
    }

    @Test
    void inputsAreCheckedBeforeTheEngineSeesThem() throws Exception {
        FakeEngine engine = new FakeEngine("fake", Map.of(), EnginesWrapperTest::unordered);
        try (LoadedModel m = load(engine); Predictor p = m.newPredictor()) {
            assertThrows(InvalidInputException.class, () -> p.predict(Map.of("x", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3))));
            assertThrows(InvalidInputException.class, () -> p.predict(Map.of("x", Tensor.ofLongs(new long[] {1, 2}, 1, 2))));
            assertThrows(InvalidInputException.class, () -> p.predict(Map.of()));
            assertThrows(InvalidInputException.class, () -> p.predict(Map.of("x", rows(1), "y", rows(1))));
            assertEquals(0, engine.calls.size(), "no bad batch reached the engine");
            p.predict(Map.of("x", rows(3)));
            assertEquals(1, engine.calls.size());
        }
    }

    @Test
    void exactlyTheSignaturesOutputsComeBackInSignatureOrder() throws Exception {
        try (LoadedModel m = load(new FakeEngine("fake", Map.of(), EnginesWrapperTest::unordered));
             Predictor p = m.newPredictor()) {
            assertEquals(List.of("first", "second"), List.copyOf(p.predict(Map.of("x", rows(2))).keySet()));
        }
    }

    @Test
    void anOutputTheEngineDidNotReturnIsAnInferenceErrorNamingIt() throws Exception {
        FakeEngine engine = new FakeEngine("fake", Map.of(), in -> Map.of("first", in.get("x")));
        try (LoadedModel m = load(engine); Predictor p = m.newPredictor()) {
            InferenceException e = assertThrows(InferenceException.class, () -> p.predict(Map.of("x", rows(1))));
            assertTrue(e.getMessage().contains("'second'"), e.getMessage());
        }
    }

    @Test
    void anUnexpectedEngineFailureBecomesAnInferenceError() throws Exception {
        FakeEngine engine = new FakeEngine("fake", Map.of(), in -> {
            throw new IllegalStateException("native crash\n  at frame");
        });
        try (LoadedModel m = load(engine); Predictor p = m.newPredictor()) {
            InferenceException e = assertThrows(InferenceException.class, () -> p.predict(Map.of("x", rows(1))));
            assertEquals("fake failed: native crash", e.getMessage());
        }
    }

    @Test
    void relaxedRulesOfTheModelAreHonoured() throws Exception {
        FakeEngine engine = new FakeEngine("fake", Map.of("x", InputValidation.Rule.ANY_DATATYPE), EnginesWrapperTest::unordered);
        try (LoadedModel m = load(engine); Predictor p = m.newPredictor()) {
            p.predict(Map.of("x", Tensor.ofLongs(new long[] {1, 2}, 1, 2)));
            assertThrows(InvalidInputException.class, () -> p.predict(Map.of("x", Tensor.ofLongs(new long[] {1, 3}, 1, 2, 3))),
                    "the shape still counts");
            assertEquals(Map.of("x", InputValidation.Rule.ANY_DATATYPE), m.inputRules());
        }
        FakeEngine scalar = new FakeEngine("fake", Map.of("x", InputValidation.Rule.SCALAR), EnginesWrapperTest::unordered);
        try (LoadedModel m = load(scalar); Predictor p = m.newPredictor()) {
            p.predict(Map.of("x", Tensor.ofLongs(new long[] {1}, 7)));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.predict(Map.of("x", rows(1))));
            assertEquals("input 'x' is a single value but 2 were sent", e.getMessage());
        }
    }

    @Test
    void oneEngineNameAndOneWrapper() throws Exception {
        FakeEngine engine = new FakeEngine("fake", Map.of(), EnginesWrapperTest::unordered);
        LoadedModel m = load(engine);
        assertEquals("fake", m.engine());
        assertSame(m, Engines.wrap(engine, m), "wrapped once");
        m.close();
        assertTrue(engine.closed);
        FakeEngine misnamed = new FakeEngine("fake-h5", Map.of(), EnginesWrapperTest::unordered);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> load(misnamed));
        assertTrue(e.getMessage().contains("fake-h5"), e.getMessage());
        assertTrue(misnamed.closed, "a refused model is closed");
    }
}
