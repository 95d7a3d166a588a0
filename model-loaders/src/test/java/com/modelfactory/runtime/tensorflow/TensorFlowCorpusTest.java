package com.modelfactory.runtime.tensorflow;

import static com.modelfactory.runtime.tensorflow.TfTestModels.assertClose;
import static com.modelfactory.runtime.tensorflow.TfTestModels.load;
import static com.modelfactory.runtime.tensorflow.TfTestModels.predictFirst;
import static com.modelfactory.runtime.tensorflow.TfTestModels.shared;
import static com.modelfactory.runtime.testing.EngineFixtures.located;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real TensorFlow files from ../shared/models (skipped when absent) through the TensorFlow engine. */
class TensorFlowCorpusTest {

    @BeforeAll
    static void natives() {
        TfNatives.prepare(null);
    }

    private static void debug(LoadedModel m) {
        System.out.println(m.signature() + "\n  " + m.details());
    }

    @Test
    void tfServingHalfPlusTwoSavedModelTf1() throws Exception {
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL,
                shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_cpu/00000123"))) {
            debug(m);
            TensorSpec x = m.signature().input("x");
            assertArrayEquals(new long[] {-1, 1}, x.shape());
            assertEquals("y", m.signature().outputs().get(0).name());
            assertArrayEquals(new float[] {2.5f, 3f, 4.5f},
                    predictFirst(m, "x", Tensor.ofFloats(new long[] {3, 1}, 1f, 2f, 5f)));
            @SuppressWarnings("unchecked")
            Map<String, Object> sigs = (Map<String, Object>) m.details().get("signatures");
            assertTrue(sigs.keySet().containsAll(java.util.List.of("serving_default", "regress_x_to_y", "classify_x_to_y")),
                    "all signatures reported: " + sigs.keySet());
            assertEquals("cpu", m.device());
        }
    }

    @Test
    void tfServingHalfPlusTwoSavedModelTf2() throws Exception {
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL,
                shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_tf2_cpu/00000123"))) {
            debug(m);
            // exported with a fixed input shape [1] (one value per call)
            assertArrayEquals(new long[] {1}, m.signature().input("x").shape());
            assertArrayEquals(new float[] {4.5f}, predictFirst(m, "x", Tensor.ofFloats(new long[] {1}, 5f)));
        }
    }

    @Test
    void tfServingTwoVersionsServesTheNewestOrTheGivenVersionFolder() throws Exception {
        Path root = shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_2_versions");
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL, root.resolve("00000123"))) {
            assertTrue(m.details().get("path").toString().endsWith("00000123"));
            assertArrayEquals(new float[] {2.5f}, predictFirst(m, "x", Tensor.ofFloats(new long[] {1, 1}, 1f)));
        }
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL, located(root))) {
            assertTrue(m.details().get("path").toString().endsWith("00000124"), "newest version served");
            assertEquals(1, predictFirst(m, "x", Tensor.ofFloats(new long[] {1, 1}, 1f)).length);
        }
    }

    @Test
    void tensorflowJavaSavedModelListsAllItsSignatures() throws Exception {
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL, shared("savedmodel/tensorflow_java/saved_model"))) {
            debug(m);
            @SuppressWarnings("unchecked")
            Map<String, Object> sigs = (Map<String, Object>) m.details().get("signatures");
            assertTrue(sigs.size() > 1, "several signatures: " + sigs.keySet());
        }
    }

    @Test
    void tfServingSessionBundleExportMeta() throws Exception {
        try (LoadedModel m = load(ModelFormat.TF_CHECKPOINT,
                shared("tf1_checkpoint/tensorflow_serving/half_plus_two/00000123"))) {
            debug(m);
            // names from the bundle's serving_signatures generic "inputs"/"outputs" maps, as TF Serving
            assertEquals(List.of("x"), m.signature().inputs().stream().map(TensorSpec::name).toList());
            assertEquals(List.of("y"), m.signature().outputs().stream().map(TensorSpec::name).toList());
            assertEquals("serving_signatures", m.details().get("endpoints_from"));
            assertArrayEquals(new float[] {2.5f, 3f, 4.5f},
                    predictFirst(m, "x", Tensor.ofFloats(new long[] {3}, 1f, 2f, 5f)));
        }
    }

    @Test
    void sessionBundleVersionFoldersServeTheNewest() throws Exception {
        Path root = shared("tf1_checkpoint/tensorflow_serving/half_plus_two_2_versions");
        try (LoadedModel m = load(ModelFormat.TF_CHECKPOINT, located(root))) {
            assertTrue(m.details().get("checkpoint").toString().contains("00000124"), m.details().toString());
            assertEquals(1, predictFirst(m, "x", Tensor.ofFloats(new long[] {1}, 1f)).length);
        }
        try (LoadedModel m = load(ModelFormat.TF_CHECKPOINT, root.resolve("00000123"))) {
            assertArrayEquals(new float[] {2.5f}, predictFirst(m, "x", Tensor.ofFloats(new long[] {1}, 1f)));
        }
    }

    @Test
    void tf2onnxRegressionInAllThreeFormats() throws Exception {
        Path root = shared("tf2onnx_regression/regression");
        // The checkpoint holds the training graph (X and label Y -> loss); like tf2onnx's test config
        // (run_pretrained_models.yaml: inputs X:0, outputs pred:0) it is served with named tensors.
        LoadOptions named = new LoadOptions(root.resolve("checkpoint"), Device.CPU, 0, 0, null,
                List.of(new TensorSpec("X:0", null, null)), List.of(new TensorSpec("pred:0", null, null)), null);
        for (var c : List.of(Map.entry(ModelFormat.FROZEN_GRAPH, LoadOptions.of(root.resolve("graphdef/frozen.pb"))),
                Map.entry(ModelFormat.TF_CHECKPOINT, named),
                Map.entry(ModelFormat.SAVED_MODEL, LoadOptions.of(root.resolve("saved_model"))))) {
            try (LoadedModel m = load(c.getKey(), c.getValue().withDevice(Device.CPU))) {
                debug(m);
                String in = m.signature().inputs().get(0).name();
                float[] y = predictFirst(m, in, Tensor.ofFloats(new long[] {1}, 5f));
                assertClose(new float[] {2.1193342f}, y, 1e-5, c.getKey() + " " + c.getValue());
            }
        }
    }

    @Test
    void dl4jFrozenMnistMatchesItsReferenceCsvs() throws Exception {
        Path dir = shared("frozen_graphdef/dl4j_mnist_00");
        float[] x = csv(dir.resolve("input.placeholder.csv"));
        float[] expected = csv(dir.resolve("output.prediction.csv"));
        try (LoadedModel m = load(ModelFormat.FROZEN_GRAPH, dir.resolve("frozen_model.pb"))) {
            debug(m);
            assertEquals("input:0", m.signature().inputs().get(0).name());
            assertEquals("output:0", m.signature().outputs().get(0).name());
            // the CSVs hold 100 images; the reference output holds their first 100 rows of 10 scores
            int n = expected.length / 10;
            float[] batch = java.util.Arrays.copyOf(x, n * 784);
            float[] y = predictFirst(m, "input:0", Tensor.ofFloats(new long[] {n, 784}, batch));
            assertClose(expected, y, 1e-4, "dl4j_mnist_00 batch of " + n);
            float[] one = predictFirst(m, "input:0", Tensor.ofFloats(new long[] {1, 784}, java.util.Arrays.copyOf(x, 784)));
            assertClose(java.util.Arrays.copyOf(expected, 10), one, 1e-4, "dl4j_mnist_00 batch of 1");
        }
    }

    @Test
    void dl4jSimpleGraphCheckpointRestoresAndMatchesItsFrozenTwin() throws Exception {
        Path dir = shared("tf1_checkpoint/dl4j_simple_graph");
        Tensor a = Tensor.ofFloats(new long[] {4}, 1f, 2f, 3f, 4f);
        Tensor b = Tensor.ofFloats(new long[] {4}, 0.5f, -1f, 10f, 0f);
        Map<String, Tensor> in = Map.of("input_0:0", a, "input_1:0", b);
        float[] fromCheckpoint;
        float[] fromFrozen;
        try (LoadedModel m = load(ModelFormat.TF_CHECKPOINT, dir); Predictor p = m.newPredictor()) {
            debug(m);
            assertEquals(1000L, m.details().get("step"));
            assertEquals(List.of("input_0:0", "input_1:0"), m.signature().inputs().stream().map(TensorSpec::name).toList());
            fromCheckpoint = p.predict(in).get("output:0").toFloats();
        }
        try (LoadedModel m = load(ModelFormat.FROZEN_GRAPH, dir.resolve("frozen_model.pb")); Predictor p = m.newPredictor()) {
            fromFrozen = p.predict(in).get("output:0").toFloats();
        }
        assertClose(fromFrozen, fromCheckpoint, 1e-6, "checkpoint vs frozen");
    }

    @Test
    void multistepCheckpointServesStep300() throws Exception {
        Path dir = shared("tf1_checkpoint/generated_multistep_half_plus_two");
        // a training graph without signatures: expected_outputs.json names input x:0 and output y:0
        LoadOptions named = new LoadOptions(dir, Device.CPU, 0, 0, null,
                List.of(new TensorSpec("x:0", null, null)), List.of(new TensorSpec("y:0", null, null)), null);
        try (LoadedModel m = load(ModelFormat.TF_CHECKPOINT, named)) {
            debug(m);
            assertEquals(300L, m.details().get("step"));
            assertArrayEquals(new long[] {-1, 1}, m.signature().input("x:0").shape());
            String in = m.signature().inputs().get(0).name();
            float[] y = predictFirst(m, in, Tensor.ofFloats(new long[] {4, 1}, 0f, 1f, 2f, 5f));
            assertClose(new float[] {1.9999995231628418f, 2.499999523162842f, 2.999999523162842f, 4.499999523162842f},
                    y, 1e-6, "step 300 (expected_outputs.json)");
        }
    }

    @Test
    void badHalfPlusTwoFailsWithAMessage() {
        Path dir = shared("tf1_checkpoint/tensorflow_serving/bad_half_plus_two/00000123");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(ModelFormat.TF_CHECKPOINT, dir));
        System.out.println("bad_half_plus_two: " + e.getMessage());
        assertTrue(e.getMessage().contains("export.meta") && e.getMessage().contains("serving_signatures"),
                e.getMessage());
    }

    @Test
    void truncatedSavedModelFailsWithAMessage(@TempDir Path tmp) throws Exception {
        Path src = shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_cpu/00000123");
        Path dst = tmp.resolve("truncated");
        Files.createDirectories(dst.resolve("variables"));
        byte[] pb = Files.readAllBytes(src.resolve("saved_model.pb"));
        Files.write(dst.resolve("saved_model.pb"), java.util.Arrays.copyOf(pb, pb.length / 2));
        for (String f : List.of("variables.index", "variables.data-00000-of-00001")) {
            Files.copy(src.resolve("variables").resolve(f), dst.resolve("variables").resolve(f));
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(ModelFormat.SAVED_MODEL, dst));
        System.out.println("truncated: " + e.getMessage());
        assertTrue(e.getMessage().contains(dst.toString()), e.getMessage());
    }

    static float[] csv(Path p) throws Exception {
        List<String> lines = Files.readAllLines(p).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        float[] v = new float[lines.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(lines.get(i));
        }
        return v;
    }

    @Test
    void anotherSignatureCanBeChosenAndAMissingOneIsNamed() throws Exception {
        Path dir = shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_cpu/00000123");
        LoadOptions pick = new LoadOptions(dir, Device.CPU, 0, 0, "regress_x2_to_y3", List.of(), List.of(), null);
        try (LoadedModel m = load(ModelFormat.SAVED_MODEL, pick)) {
            assertEquals("regress_x2_to_y3", m.details().get("signature"));
            // y3 = 0.5 * x2 + 3
            assertArrayEquals(new float[] {3.5f}, predictFirst(m, "inputs", Tensor.ofFloats(new long[] {1, 1}, 1f)));
        }
        LoadOptions missing = new LoadOptions(dir, Device.CPU, 0, 0, "nope", List.of(), List.of(), null);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(ModelFormat.SAVED_MODEL, missing));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("serving_default"), e.getMessage());
        LoadOptions strings = new LoadOptions(dir, Device.CPU, 0, 0, "regress_x_to_y", List.of(), List.of(), null);
        e = assertThrows(ModelLoadException.class, () -> load(ModelFormat.SAVED_MODEL, strings));
        assertTrue(e.getMessage().contains("DT_STRING"), e.getMessage());
    }

    @Test
    void frozenGraphWithConfiguredTensors() throws Exception {
        Path pb = shared("tf2onnx_regression/fc-layers/frozen.pb");
        LoadOptions o = new LoadOptions(pb, Device.CPU, 1, 1, null,
                List.of(new TensorSpec("X:0", null, null)), List.of(new TensorSpec("output:0", null, null)), null);
        try (LoadedModel m = load(ModelFormat.FROZEN_GRAPH, o); Predictor p = m.newPredictor()) {
            assertArrayEquals(new long[] {-1, 784}, m.signature().input("X:0").shape());
            Tensor out = p.predict(Map.of("X:0", Tensor.ofFloats(new long[] {3, 784}, new float[3 * 784]))).get("output:0");
            assertEquals(3, out.shape()[0]);
        }
        LoadOptions wrong = new LoadOptions(pb, Device.CPU, 0, 0, null,
                List.of(), List.of(new TensorSpec("logits:0", null, null)), null);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(ModelFormat.FROZEN_GRAPH, wrong));
        assertTrue(e.getMessage().contains("'logits:0'"), e.getMessage());
    }
}
