package com.modelfactory.runtime.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.testing.EngineFixtures;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Keras files of the shared corpus (../shared/models/keras_h5): each loads and runs, or is
 * refused with a message that names the cause. Skipped when the corpus is absent.
 */
class KerasH5CorpusTest {
    private static Path corpus;

    @BeforeAll
    static void findCorpus() {
        Path shared = Path.of(System.getProperty("shared.models.dir", "../../shared/models"));
        corpus = shared.resolve("keras_h5");
        Assumptions.assumeTrue(Files.isDirectory(corpus), "shared Keras corpus not present at " + corpus);
    }

    private static LoadedModel load(Path p) throws ModelLoadException {
        return Engines.load(new KerasH5Engine(), ModelFormat.KERAS_H5, LoadOptions.of(EngineFixtures.located(p)));
    }

    /** Files whose layers are all supported: they load, and a batch of 3 runs with outputs of the right batch. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dl4j_tfkeras/mlp_0.h5", "dl4j_tfkeras/cnn2d_100.h5", "dl4j_tfkeras/GAPError.h5",
            "dl4j_tfkeras/cnn2d_32.h5",
            "konduit_keras2/model_ndarray_in_ndarray_out.h5", "konduit_keras2/batch_to_conv2d_tensorflow_2.h5"})
    void loadsAndRuns(String file) throws Exception {
        try (LoadedModel model = load(corpus.resolve(file)); Predictor p = model.newPredictor()) {
            Map<String, Tensor> in = randomInputs(model, 3);
            Map<String, Tensor> out = p.predict(in);
            assertEquals(model.signature().outputs().size(), out.size());
            for (var e : out.entrySet()) {
                assertEquals(3, e.getValue().shape()[0], file + " output " + e.getKey());
                assertTrue(Arrays.stream(e.getValue().toDoubles()).allMatch(Double::isFinite), file + " gives non-finite values");
            }
            System.out.printf("keras corpus %s loads: %s%n", file, model.signature());
        }
    }

    /**
     * Keras 1.1 CNN (dim_ordering tf) with DL4J's reference: the input file is the image in NCHW order
     * (DL4J reshapes it to [1, 3, 8, 8]); the model takes NHWC. Loaded both as the full H5 and as
     * weights H5 + JSON config.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dl4j_keras_simple", "dl4j_keras_simple/cnn_tf_weights.h5"})
    void keras1CnnMatchesDl4jReference(String path) throws Exception {
        Path dir = corpus.resolve("dl4j_keras_simple");
        float[] chw = readNumbers(dir.resolve("cnn_tf_input.txt"));
        float[] hwc = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    hwc[(h * 8 + w) * 3 + c] = chw[(c * 8 + h) * 8 + w];
                }
            }
        }
        float[] expected = readNumbers(dir.resolve("cnn_tf_output.txt"));
        try (LoadedModel model = load(corpus.resolve(path)); Predictor p = model.newPredictor()) {
            TensorSpec in = model.signature().inputs().get(0);
            assertArrayEquals(new long[] {-1, 8, 8, 3}, in.shape());
            Tensor out = p.predict(Map.of(in.name(), Tensor.ofFloats(new long[] {1, 8, 8, 3}, hwc)))
                    .values().iterator().next();
            float[] got = out.toFloats();
            // The reference file has six decimals.
            assertArrayEquals(expected, got, 1e-5f, "Keras 1 CNN output " + Arrays.toString(got));
            System.out.printf("keras corpus %s matches DL4J reference %s%n", path, Arrays.toString(got));
        }
    }

    /** UAI packdocker layout: keras_mnist.conf at the top, weights-only H5 + JSON under checkpoint_dir/. */
    @Test
    void uaiKeras1MnistLoadsFromWeightsAndJson() throws Exception {
        try (LoadedModel model = load(corpus.resolve("uai_sdk_keras1_mnist")); Predictor p = model.newPredictor()) {
            assertEquals(1, model.signature().inputs().size());
            assertArrayEquals(new long[] {-1, 784}, model.signature().inputs().get(0).shape());
            Tensor out = p.predict(randomInputs(model, 2)).values().iterator().next();
            assertArrayEquals(new long[] {2, 10}, out.shape());
            // The last layer is a softmax: each row sums to one.
            float[] v = out.toFloats();
            for (int r = 0; r < 2; r++) {
                double sum = 0;
                for (int i = 0; i < 10; i++) {
                    sum += v[r * 10 + i];
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void weightsOnlyFileWithoutArchitectureIsRefused() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> load(corpus.resolve("konduit_keras2/KerasJsonModel.h5")).close());
        System.out.println("keras corpus konduit_keras2/KerasJsonModel.h5 refused: " + e.getMessage());
        assertTrue(e.getMessage().contains("holds only weights"), e.getMessage());
        assertTrue(e.getMessage().contains("no JSON architecture file"), e.getMessage());
    }

    static Map<String, Tensor> randomInputs(LoadedModel model, int batch) {
        Random random = new Random(42);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (TensorSpec spec : model.signature().inputs()) {
            long[] shape = spec.shape();
            shape[0] = batch;
            float[] v = new float[(int) Tensor.elementCount(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextFloat();
            }
            in.put(spec.name(), Tensor.ofFloats(shape, v));
        }
        return in;
    }

    private static float[] readNumbers(Path file) throws IOException {
        String[] parts = Files.readString(file).trim().split("\\s+");
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }
}
