package com.modelfactory.runtime.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.EngineFixtures;
import java.nio.file.Path;
import java.util.Map;

/** Where the real model files are, and small helpers to run them. */
final class TfTestModels {
    private TfTestModels() {
    }

    static Path shared(String relative) {
        return EngineFixtures.shared(relative);
    }

    static Path fixture(String relative) {
        return EngineFixtures.fixture(relative);
    }

    static LoadedModel load(ModelFormat format, Path path) throws ModelLoadException {
        return Engines.load(new TensorFlowEngine(), format, LoadOptions.of(path).withDevice(Device.CPU));
    }

    static LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        return Engines.load(new TensorFlowEngine(), format, options);
    }

    /** Runs one input through a fresh predictor and returns the first output's values. */
    static float[] predictFirst(LoadedModel m, String input, Tensor t) {
        try (Predictor p = m.newPredictor()) {
            Map<String, Tensor> out = p.predict(Map.of(input, t));
            assertEquals(m.signature().outputs().size(), out.size());
            return out.values().iterator().next().toFloats();
        }
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        if (worst > tol) {
            throw new AssertionError(what + ": max abs diff " + worst + " > " + tol);
        }
    }
}
