package com.modelfactory.runtime.tensorflow;

import static com.modelfactory.runtime.testing.EngineFixtures.assertClose;
import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static com.modelfactory.runtime.testing.EngineFixtures.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.EngineFixtures.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's own TensorFlow fixtures (made by real TF 2.x, see src/test/fixtures/generate.py): the
 * same small image CNN as SavedModel, Keras export, frozen GraphDef and TF1 checkpoints. Each must
 * match TF's outputs in reference.json to 1e-4 at batch 2 and at batch 1.
 */
class TensorFlowFixtureTest {

    @BeforeAll
    static void natives() {
        TfNatives.prepare(null);
    }

    /** Runs the reference inputs at batch 2 and 1; the served names must be the reference's names. */
    private static void assertMatches(LoadedModel m, Reference ref, String what) {
        try (Predictor p = m.newPredictor()) {
            for (Reference r : List.of(ref, ref.firstRows(1))) {
                Map<String, Tensor> in = new LinkedHashMap<>();
                r.inputs().forEach((k, v) -> in.put(served(m, k, true), v));
                Map<String, Tensor> out = p.predict(in);
                for (Map.Entry<String, Tensor> e : r.outputs().entrySet()) {
                    assertClose(e.getValue(), out.get(served(m, e.getKey(), false)), 1e-4,
                            what + " " + e.getKey() + " batch " + e.getValue().shape()[0]);
                }
            }
        }
    }

    private static String served(LoadedModel m, String name, boolean input) {
        List<String> names = (input ? m.signature().inputs() : m.signature().outputs()).stream()
                .map(TensorSpec::name).toList();
        if (names.contains(name)) {
            return name;
        }
        throw new AssertionError("the model serves " + names + ", not '" + name + "' as its reference names it");
    }

    @Test
    void savedModelSignatureServingDefault() throws Exception {
        Path dir = fixture("tf_savedmodel/tiny_cnn");
        try (LoadedModel m = TfTestModels.load(ModelFormat.SAVED_MODEL, dir)) {
            assertEquals("serving_default", m.details().get("signature"));
            assertMatches(m, reference(dir.resolve("reference.json")), "tf_savedmodel/tiny_cnn");
        }
    }

    @Test
    void kerasExportedSavedModel() throws Exception {
        Path dir = fixture("tf_savedmodel/keras_export");
        try (LoadedModel m = TfTestModels.load(ModelFormat.SAVED_MODEL, dir)) {
            assertMatches(m, reference(dir.resolve("reference.json")), "tf_savedmodel/keras_export");
        }
    }

    @Test
    void frozenGraphFindsItsPlaceholderAndSink() throws Exception {
        Path dir = fixture("tf_frozen/tiny_cnn");
        try (LoadedModel m = TfTestModels.load(ModelFormat.FROZEN_GRAPH, dir.resolve("frozen.pb"))) {
            assertEquals(List.of("input:0"), m.signature().inputs().stream().map(TensorSpec::name).toList());
            assertEquals(List.of("Identity:0"), m.signature().outputs().stream().map(TensorSpec::name).toList());
            assertMatches(m, reference(dir.resolve("reference.json")), "tf_frozen/tiny_cnn");
        }
    }

    @Test
    void checkpointServesTheNewestOfThreeSteps() throws Exception {
        Path dir = fixture("tf1_checkpoint/tiny_cnn_steps");
        try (LoadedModel m = TfTestModels.load(ModelFormat.TF_CHECKPOINT, dir)) {
            assertEquals(300L, m.details().get("step"));
            assertMatches(m, reference(dir.resolve("reference.json")), "tf1_checkpoint/tiny_cnn_steps");
            // the steps' weights differ, so matching step 300's outputs means step 300 was restored
            Reference step200 = stepReference(dir, "200");
            try (Predictor p = m.newPredictor()) {
                Tensor got = p.predict(step200.inputs()).get("probabilities:0");
                AssertionError differs = assertThrows(AssertionError.class, () ->
                        assertClose(step200.outputs().get("probabilities:0"), got, 1e-2, "step 200"));
                assertTrue(differs.getMessage().contains("max abs diff"));
            }
        }
    }

    @Test
    void checkpointWhoseStateFileHoldsAnotherMachinesPaths() throws Exception {
        Path dir = fixture("tf1_checkpoint/tiny_cnn_abs_paths");
        try (LoadedModel m = TfTestModels.load(ModelFormat.TF_CHECKPOINT, LoadOptions.of(dir).withDevice(Device.CPU))) {
            assertMatches(m, reference(dir.resolve("reference.json")), "tf1_checkpoint/tiny_cnn_abs_paths");
        }
    }

    @Test
    void checkpointWithoutMetaGraphSaysAGraphIsNeeded(@TempDir Path tmp) throws Exception {
        Path dir = fixture("tf1_checkpoint/tiny_cnn_steps");
        for (String f : List.of("model.ckpt-300.index", "model.ckpt-300.data-00000-of-00001")) {
            Files.copy(dir.resolve(f), tmp.resolve(f));
        }
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TfTestModels.load(ModelFormat.TF_CHECKPOINT, tmp));
        assertTrue(e.getMessage().contains("no .meta") && e.getMessage().contains("a graph is needed"), e.getMessage());
    }

    @Test
    void checkpointStepWithoutItsOwnMetaUsesTheNewestMetaBesideIt(@TempDir Path tmp) throws Exception {
        Path dir = fixture("tf1_checkpoint/tiny_cnn_steps");
        for (String f : List.of("model.ckpt-200.meta", "model.ckpt-300.index", "model.ckpt-300.data-00000-of-00001")) {
            Files.copy(dir.resolve(f), tmp.resolve(f));
        }
        try (LoadedModel m = TfTestModels.load(ModelFormat.TF_CHECKPOINT, tmp)) {
            assertEquals(300L, m.details().get("step"));
            assertMatches(m, reference(dir.resolve("reference.json")), "step 300 variables with the step 200 graph");
        }
    }

    /** Declared as TF users write tensor names ("logits:0") or without the index ("logits"): the same tensor. */
    private static LoadOptions declared(Path path, String input, String output) {
        return new LoadOptions(path, Device.CPU, 0, 0, null, List.of(new TensorSpec(input, DataType.FP32, null)),
                List.of(new TensorSpec(output, DataType.FP32, null)), null);
    }

    /** The reference, keyed by the declared names instead of the reference's "op:0" names. */
    private static void assertServesUnderDeclaredNames(LoadedModel m, Reference ref, String in, String out, String what) {
        assertEquals(List.of(in), m.signature().inputs().stream().map(TensorSpec::name).toList(), what);
        assertEquals(List.of(out), m.signature().outputs().stream().map(TensorSpec::name).toList(), what);
        try (Predictor p = m.newPredictor()) {
            Tensor got = p.predict(Map.of(in, ref.inputs().values().iterator().next())).get(out);
            assertClose(ref.outputs().values().iterator().next(), got, 1e-4, what);
        }
    }

    @Test
    void frozenGraphAndCheckpointTakeDeclaredTensorNamesWithOrWithoutTheIndex() throws Exception {
        Path frozen = fixture("tf_frozen/tiny_cnn");
        Path checkpoint = fixture("tf1_checkpoint/tiny_cnn_steps");
        for (String[] names : List.of(new String[] {"input:0", "Identity:0"}, new String[] {"input", "Identity"})) {
            try (LoadedModel m = TfTestModels.load(ModelFormat.FROZEN_GRAPH,
                    declared(frozen.resolve("frozen.pb"), names[0], names[1]))) {
                assertServesUnderDeclaredNames(m, reference(frozen.resolve("reference.json")), names[0], names[1],
                        "frozen graph " + String.join(", ", names));
            }
        }
        for (String[] names : List.of(new String[] {"x:0", "probabilities:0"}, new String[] {"x", "probabilities"})) {
            try (LoadedModel m = TfTestModels.load(ModelFormat.TF_CHECKPOINT, declared(checkpoint, names[0], names[1]))) {
                assertEquals("config", m.details().get("endpoints_from"));
                assertServesUnderDeclaredNames(m, reference(checkpoint.resolve("reference.json")), names[0], names[1],
                        "checkpoint " + String.join(", ", names));
            }
        }
    }

    @Test
    void savedModelMatchesDeclaredSpecsByKeyOrGraphTensorWithOrWithoutTheIndex() throws Exception {
        Path dir = fixture("tf_savedmodel/tiny_cnn");
        for (String name : List.of("input", "input:0")) {
            LoadOptions o = new LoadOptions(dir, Device.CPU, 0, 0, null,
                    List.of(new TensorSpec(name, DataType.FP32, new long[] {-1, 32, -1, 3})),
                    List.of(new TensorSpec("probabilities:0", DataType.FP32, null)), null);
            try (LoadedModel m = TfTestModels.load(ModelFormat.SAVED_MODEL, o)) {
                assertArrayEquals(new long[] {-1, 32, -1, 3}, m.signature().input("input").shape(),
                        "the declared shape applies to '" + name + "'");
                assertEquals(List.of("probabilities"), m.signature().outputs().stream().map(TensorSpec::name).toList());
                assertMatches(m, reference(dir.resolve("reference.json")), "declared " + name);
            }
        }
    }

    @Test
    void explicitCudaWithoutAGpuFailsAndAutoFallsBackToTheCpu() throws Exception {
        assumeTrue(TfDevices.probeGpu(0) != null, "a GPU is usable here; this checks the machine without one");
        Path dir = fixture("tf_savedmodel/tiny_cnn");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TfTestModels.load(ModelFormat.SAVED_MODEL,
                LoadOptions.of(dir).withDevice(Device.parse("cuda"))));
        assertTrue(e.getMessage().contains("DEVICE=cuda:0") && e.getMessage().contains("DEVICE=auto or cpu"), e.getMessage());
        try (LoadedModel m = TfTestModels.load(ModelFormat.SAVED_MODEL, LoadOptions.of(dir).withDevice(Device.AUTO))) {
            assertEquals("cpu", m.device());
        }
    }

    @Test
    void sessionConfigGrowsGpuMemoryAndTakesThreadCounts() {
        LoadOptions o = new LoadOptions(Path.of("."), Device.AUTO, 3, 2, null, List.of(), List.of(), null);
        var gpu = TfDevices.config(o, 1);
        assertTrue(gpu.getGpuOptions().getAllowGrowth());
        assertEquals("1", gpu.getGpuOptions().getVisibleDeviceList());
        assertEquals(3, gpu.getIntraOpParallelismThreads());
        assertEquals(2, gpu.getInterOpParallelismThreads());
        assertEquals(0, TfDevices.config(o, -1).getDeviceCountOrThrow("GPU"));
    }

    /** expected_by_step.json: {"inputs": {...}, "steps": {"100": {"outputs": {...}}, ...}} as a Reference. */
    private static Reference stepReference(Path dir, String step) throws Exception {
        com.google.gson.JsonObject all = com.google.gson.JsonParser.parseString(
                Files.readString(dir.resolve("expected_by_step.json"))).getAsJsonObject();
        com.google.gson.JsonObject one = new com.google.gson.JsonObject();
        one.add("inputs", all.get("inputs"));
        one.add("outputs", all.getAsJsonObject("steps").getAsJsonObject(step).get("outputs"));
        Path tmp = Files.createTempFile("step" + step, ".json");
        try {
            Files.writeString(tmp, one.toString());
            return reference(tmp);
        } finally {
            Files.delete(tmp);
        }
    }
}
