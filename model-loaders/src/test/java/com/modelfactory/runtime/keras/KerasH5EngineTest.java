package com.modelfactory.runtime.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The engine behind the seam: registration, file choice, device policy, reported facts, threads. */
class KerasH5EngineTest {

    private static Path fixture(String name) {
        return KerasH5FixturesTest.fixtures().resolve(name);
    }

    @Test
    void isTheServiceLoadedEngineForKerasH5() throws Exception {
        assertInstanceOf(KerasH5Engine.class, Engines.forFormat(ModelFormat.KERAS_H5));
    }

    @Test
    void reportsKerasVersionAndRunsOnTensorFlow() throws Exception {
        try (LoadedModel model = KerasH5FixturesTest.load(fixture("functional_cnn"))) {
            assertEquals("tensorflow", model.engine());
            assertEquals("cpu", model.device());
            assertTrue(String.valueOf(model.details().get("keras_version")).startsWith("3."), model.details().toString());
            assertEquals("model.h5", model.details().get("h5_file"));
        }
    }

    @Test
    void oneEngineNameEverywhereAndTheLoaderInItsDetails() throws Exception {
        assertEquals("tensorflow", new KerasH5Engine().name());
        try (LoadedModel model = KerasH5FixturesTest.load(fixture("sequential_mlp"))) {
            assertEquals("tensorflow", model.engine());
            assertEquals("keras-h5 (jhdf)", model.details().get("loader"));
        }
    }

    /** Which of several H5 files is the model is detection's choice (ModelLocator), not the engine's. */
    @Test
    void aFolderIsRefusedTheEngineLoadsTheFileDetectionChose() {
        Path dir = fixture("weights_and_json");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Engines.load(new KerasH5Engine(), ModelFormat.KERAS_H5, LoadOptions.of(dir)).close());
        assertTrue(e.getMessage().contains("is a folder") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void explicitCudaIsRefusedOnTheCpuBuild() {
        Assumptions.assumeTrue(getClass().getClassLoader()
                .getResource("org/tensorflow/internal/c_api/linux-x86_64-gpu/") == null, "GPU natives present");
        LoadOptions options = LoadOptions.of(fixture("sequential_mlp")).withDevice(Device.parse("cuda:0"));
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> new KerasH5Engine().load(ModelFormat.KERAS_H5, options).close());
        assertTrue(e.getMessage().contains("DEVICE=cuda:0"), e.getMessage());
    }

    /** One predictor per thread on the shared session: every call still gives Keras' numbers. */
    @Test
    void predictorsOnSeveralThreadsAgreeWithKeras() throws Exception {
        Path dir = fixture("two_in_two_out");
        ReferenceData ref = ReferenceData.read(dir.resolve("reference.json"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (LoadedModel model = KerasH5FixturesTest.load(dir)) {
            List<Future<Double>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    double worst = 0;
                    try (Predictor p = model.newPredictor()) {
                        for (int i = 0; i < 50; i++) {
                            Map<String, Tensor> out = p.predict(ref.inputs());
                            worst = Math.max(worst, ReferenceData.assertClose(ref.outputs(), out,
                                    KerasH5FixturesTest.TOLERANCE, "two_in_two_out threaded"));
                        }
                    }
                    return worst;
                }));
            }
            for (Future<Double> f : results) {
                assertTrue(f.get() <= KerasH5FixturesTest.TOLERANCE);
            }
        } finally {
            pool.shutdown();
        }
    }
}
