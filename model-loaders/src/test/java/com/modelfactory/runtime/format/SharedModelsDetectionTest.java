package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every folder of the shared corpus of real model files (../shared/models, see its SOURCES.md) located and
 * detected as documented. A folder missing from the table fails the test, so the table keeps up with the corpus.
 */
class SharedModelsDetectionTest {
    private static final String AMBIGUOUS = "ambiguous";
    private static final String UNRECOGNIZED = "unrecognized";
    /** Folders inside a model (variables/, assets/): part of the model above them, not models. */
    private static final String PART = "part";

    /** folder -> "format:model path relative to the folder", or one of the markers above. */
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        e(".", AMBIGUOUS);
        e("frozen_graphdef", AMBIGUOUS);
        e("frozen_graphdef/dl4j_lenet", "tf_frozen_graph:lenet_frozen.pb");
        e("frozen_graphdef/dl4j_mnist_00", "tf_frozen_graph:frozen_model.pb");
        e("keras_h5", AMBIGUOUS);
        e("keras_h5/dl4j_keras_simple", "keras_h5:cnn_tf_model.h5");
        e("keras_h5/dl4j_tfkeras", AMBIGUOUS);
        e("keras_h5/konduit_keras2", AMBIGUOUS);
        e("keras_h5/uai_sdk_keras1_mnist", "keras_h5:checkpoint_dir/mnist_model.h5");
        e("keras_h5/uai_sdk_keras1_mnist/checkpoint_dir", "keras_h5:mnist_model.h5");
        e("onnx", AMBIGUOUS);
        e("onnx/dl4j_output_cnn_mnist", "onnx:output_cnn_mnist.onnx");
        e("onnx/onnx_mlir_mnist", "onnx:mnist.onnx");
        e("onnx/onnx_mlir_mnist/test_data_set_0", UNRECOGNIZED); // ONNX TensorProtos, not models
        e("savedmodel", AMBIGUOUS);
        e("savedmodel/tensorflow_java", AMBIGUOUS);
        e("savedmodel/tensorflow_java/saved_model", "tf_savedmodel:");
        e("savedmodel/tensorflow_java/saved_model/assets", UNRECOGNIZED);
        e("savedmodel/tensorflow_java/saved_model/variables", PART);
        e("savedmodel/tensorflow_java/saved_model_using_python", "tf_savedmodel:model");
        e("savedmodel/tensorflow_java/saved_model_using_python/model", "tf_savedmodel:");
        e("savedmodel/tensorflow_java/saved_model_using_python/model/variables", PART);
        e("savedmodel/tensorflow_serving", AMBIGUOUS);
        for (String m : List.of("counter", "half_plus_three", "half_plus_two_cpu", "half_plus_two_cpu_with_saved_model_config",
                "half_plus_two_gpu", "half_plus_two_mkl", "half_plus_two_mlmd", "half_plus_two_tf2_cpu")) {
            String base = "savedmodel/tensorflow_serving/saved_model_" + m;
            e(base, "tf_savedmodel:00000123");
            e(base + "/00000123", "tf_savedmodel:");
            for (String part : List.of("assets", "assets.extra", "variables")) {
                e(base + "/00000123/" + part, PART);
            }
        }
        String twoVersions = "savedmodel/tensorflow_serving/saved_model_half_plus_two_2_versions";
        e(twoVersions, "tf_savedmodel:00000124");
        for (String v : List.of("00000123", "00000124")) {
            e(twoVersions + "/" + v, "tf_savedmodel:");
            e(twoVersions + "/" + v + "/assets", PART);
            e(twoVersions + "/" + v + "/variables", PART);
        }
        e("savedmodel/tensorflow_serving/saved_model_half_plus_two_tflite", "unsupported:tflite");
        e("savedmodel/tensorflow_serving/saved_model_half_plus_two_tflite/00000123", "unsupported:tflite");
        e("tf1_checkpoint", AMBIGUOUS);
        e("tf1_checkpoint/dl4j_simple_graph", "tf_checkpoint:");
        e("tf1_checkpoint/generated_multistep_half_plus_two", "tf_checkpoint:");
        e("tf1_checkpoint/tensorflow_serving", AMBIGUOUS);
        e("tf1_checkpoint/tensorflow_serving/bad_half_plus_two", "tf_checkpoint:00000123");
        e("tf1_checkpoint/tensorflow_serving/bad_half_plus_two/00000123", "tf_checkpoint:");
        e("tf1_checkpoint/tensorflow_serving/half_plus_two", "tf_checkpoint:00000123");
        e("tf1_checkpoint/tensorflow_serving/half_plus_two/00000123", "tf_checkpoint:");
        e("tf1_checkpoint/tensorflow_serving/half_plus_two_2_versions", "tf_checkpoint:00000124");
        e("tf1_checkpoint/tensorflow_serving/half_plus_two_2_versions/00000123", "tf_checkpoint:");
        e("tf1_checkpoint/tensorflow_serving/half_plus_two_2_versions/00000124", "tf_checkpoint:");
        e("tf2onnx_regression", AMBIGUOUS);
        e("tf2onnx_regression/fc-layers", "tf_frozen_graph:frozen.pb");
        e("tf2onnx_regression/regression", AMBIGUOUS);
        e("tf2onnx_regression/regression/checkpoint", "tf_checkpoint:");
        e("tf2onnx_regression/regression/graphdef", "tf_frozen_graph:frozen.pb");
        e("tf2onnx_regression/regression/saved_model", "tf_savedmodel:");
        e("tf2onnx_regression/regression/saved_model/variables", PART);
        e("tf2onnx_regression/regression/tflite", "unsupported:tflite");
        e("torchscript", AMBIGUOUS);
        e("torchscript/generated_from_onnx_mlir_mnist", AMBIGUOUS); // traced and scripted: MODEL_FILE picks
        e("torchscript/pytorch_java_demo", "torchscript:demo-model.pt1");
        e("vision", AMBIGUOUS);
        e("vision/_licenses", UNRECOGNIZED); // licence texts
        e("vision/yolov8n_int8_320", "onnx:yolov8n_int8.onnx");
        e("vision/yolov8n_seg_int8_320", "onnx:yolov8n-seg_int8.onnx");
        e("vision/yolox_nano_weeds", "onnx:yolox_nano.onnx");
    }

    private static void e(String folder, String expected) {
        EXPECTED.put(folder, expected);
    }

    private final ModelLocator locator = new ModelLocator();

    static Path shared() {
        String dir = System.getProperty("shared.models.dir");
        Path p = dir == null ? null : Path.of(dir);
        Assumptions.assumeTrue(p != null && Files.isDirectory(p),
                "shared model corpus not present at " + dir + "; skipping tests on real model files");
        return p.toAbsolutePath().normalize();
    }

    @TestFactory
    Stream<DynamicTest> everyFolderIsLocatedAsDocumented() throws IOException {
        Path root = shared();
        List<Path> dirs;
        try (Stream<Path> walk = Files.walk(root)) {
            dirs = walk.filter(Files::isDirectory).filter(d -> !root.relativize(d).toString().startsWith("_licenses"))
                    .sorted().toList();
        }
        List<String> missing = new ArrayList<>();
        for (Path d : dirs) {
            String rel = rel(root, d);
            if (!EXPECTED.containsKey(rel)) {
                missing.add(rel);
            }
        }
        Stream<DynamicTest> coverage = Stream.of(DynamicTest.dynamicTest("every folder has an expectation",
                () -> assertTrue(missing.isEmpty(), "folders without an expectation: " + missing)));
        return Stream.concat(coverage, dirs.stream()
                .filter(d -> EXPECTED.containsKey(rel(root, d)) && !PART.equals(EXPECTED.get(rel(root, d))))
                .map(d -> DynamicTest.dynamicTest(rel(root, d) + " -> " + EXPECTED.get(rel(root, d)),
                        () -> check(d, EXPECTED.get(rel(root, d))))));
    }

    private void check(Path dir, String expected) {
        if (expected.equals(AMBIGUOUS)) {
            AmbiguousModelException e = assertThrows(AmbiguousModelException.class, () -> locator.locate(dir));
            assertTrue(e.candidates().size() >= 2, e.getMessage());
            return;
        }
        if (expected.equals(UNRECOGNIZED)) {
            assertThrows(UnrecognizedModelException.class, () -> locator.locate(dir));
            return;
        }
        if (expected.startsWith("unsupported:")) {
            UnsupportedModelFormatException e = assertThrows(UnsupportedModelFormatException.class, () -> locator.locate(dir));
            assertEquals(expected.substring("unsupported:".length()), e.format().id(), e.getMessage());
            return;
        }
        String format = expected.substring(0, expected.indexOf(':'));
        String path = expected.substring(expected.indexOf(':') + 1);
        Detection d;
        try {
            d = locator.locate(dir);
        } catch (ModelLoadException e) {
            fail(dir + ": " + e.getMessage(), e);
            return;
        }
        assertEquals(format, d.format().id(), d.reason());
        assertEquals(dir.resolve(path).normalize(), d.modelPath().normalize(), d.reason());
    }

    @Test
    void multistepCheckpointResolvesToStep300() throws Exception {
        Path dir = shared().resolve("tf1_checkpoint/generated_multistep_half_plus_two");
        Detection d = locator.locate(dir);
        assertEquals(ModelFormat.TF_CHECKPOINT, d.format());
        CheckpointSteps.Checkpoint latest = CheckpointSteps.latest(d.modelPath()).orElseThrow();
        assertEquals(300, latest.step());
        assertEquals("model.ckpt-300", latest.prefix().getFileName().toString());
        assertTrue(latest.hasMeta());
        assertTrue(d.reason().contains("step 300"), d.reason());
    }

    @Test
    void checkpointStateFileWithAnotherMachinesAbsolutePathIsReducedToTheLocalPrefix() throws Exception {
        Path dir = shared().resolve("tf1_checkpoint/dl4j_simple_graph");
        assertEquals("data-all-1000", CheckpointSteps.stateFilePrefix(dir).orElseThrow());
        CheckpointSteps.Checkpoint latest = CheckpointSteps.latest(dir).orElseThrow();
        assertEquals(dir.resolve("data-all-1000"), latest.prefix());
        assertEquals(1000, latest.step());
        Detection d = locator.locate(dir);
        assertTrue(d.reason().contains("frozen_model.pb"), "the ignored frozen graph is named: " + d.reason());
    }

    @Test
    void badHalfPlusTwoIsACheckpointWhoseV1DataFileIsNamedByTheStateFile() throws Exception {
        Path dir = shared().resolve("tf1_checkpoint/tensorflow_serving/bad_half_plus_two");
        Detection d = locator.locate(dir);
        assertEquals(ModelFormat.TF_CHECKPOINT, d.format());
        CheckpointSteps.Checkpoint latest = CheckpointSteps.latest(d.modelPath()).orElseThrow();
        assertEquals("export", latest.prefix().getFileName().toString());
        assertTrue(latest.hasMeta());
    }

    @Test
    void tfServingVersionFoldersPickTheHighestUnlessOneIsConfigured() throws Exception {
        Path dir = shared().resolve("savedmodel/tensorflow_serving/saved_model_half_plus_two_2_versions");
        assertEquals(dir.resolve("00000124"), locator.locate(dir).modelPath());
        assertTrue(locator.locate(dir).reason().contains("00000124"));
        Detection pinned = locator.locate(dir, new ModelLocator.Options(null, "00000123", null));
        assertEquals(dir.resolve("00000123"), pinned.modelPath());
        assertEquals(dir.resolve("00000123"), locator.locate(dir, new ModelLocator.Options(null, "123", null)).modelPath());
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
                () -> locator.locate(dir, new ModelLocator.Options(null, "00000999", null)));
        assertTrue(e.getMessage().contains("00000123") && e.getMessage().contains("00000124"), e.getMessage());
    }

    @Test
    void modelFilePicksOneOfSeveralModels() throws Exception {
        Path dir = shared().resolve("torchscript/generated_from_onnx_mlir_mnist");
        AmbiguousModelException e = assertThrows(AmbiguousModelException.class, () -> locator.locate(dir));
        assertTrue(e.getMessage().contains("mnist_traced.pt") && e.getMessage().contains("mnist_scripted.pt"), e.getMessage());
        assertTrue(e.getMessage().contains("MODEL_FILE"), e.getMessage());
        Detection d = locator.locate(dir, new ModelLocator.Options(null, null, "mnist_traced.pt"));
        assertEquals(ModelFormat.TORCHSCRIPT, d.format());
        assertEquals(dir.resolve("mnist_traced.pt"), d.modelPath());

        Path regression = shared().resolve("tf2onnx_regression/regression");
        AmbiguousModelException several = assertThrows(AmbiguousModelException.class, () -> locator.locate(regression));
        assertTrue(several.candidates().containsAll(List.of("checkpoint/", "graphdef/", "saved_model/", "tflite/")),
                several.candidates().toString());
        Detection frozen = locator.locate(regression, new ModelLocator.Options(null, null, "graphdef/frozen.pb"));
        assertEquals(ModelFormat.FROZEN_GRAPH, frozen.format());
        Detection saved = locator.locate(regression, new ModelLocator.Options(null, null, "saved_model/saved_model.pb"));
        assertEquals(ModelFormat.SAVED_MODEL, saved.format());
        assertEquals(regression.resolve("saved_model"), saved.modelPath());
    }

    @Test
    void everyH5FileIsKerasExceptTheWeightsOnlyOneWithoutArchitecture() throws Exception {
        Path root = shared().resolve("keras_h5");
        FormatDetector detector = new FormatDetector();
        for (String f : List.of("dl4j_tfkeras/cnn2d_32.h5", "dl4j_tfkeras/cnn2d_100.h5", "dl4j_tfkeras/mlp_0.h5",
                "dl4j_tfkeras/GAPError.h5", "konduit_keras2/batch_to_conv2d_tensorflow_2.h5",
                "konduit_keras2/model_ndarray_in_ndarray_out.h5", "dl4j_keras_simple/cnn_tf_model.h5")) {
            Detection d = detector.detect(root.resolve(f));
            assertEquals(ModelFormat.KERAS_H5, d.format(), f);
            assertTrue(d.reason().contains("model_config"), d.reason());
        }
        Detection weights = detector.detect(root.resolve("dl4j_keras_simple/cnn_tf_weights.h5"));
        assertEquals(ModelFormat.KERAS_H5, weights.format());
        assertTrue(weights.reason().contains("cnn_tf_config.json"), weights.reason());
        assertEquals(root.resolve("uai_sdk_keras1_mnist/checkpoint_dir/mnist_model.json"),
                KerasFiles.architectureJson(root.resolve("uai_sdk_keras1_mnist/checkpoint_dir/mnist_model.h5")).orElseThrow());
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
                () -> detector.detect(root.resolve("konduit_keras2/KerasJsonModel.h5")));
        assertTrue(e.getMessage().contains("weights only"), e.getMessage());
    }

    @Test
    void filesInsideFolderModelsStandForTheirFolder() throws Exception {
        FormatDetector detector = new FormatDetector();
        Path sm = shared().resolve("savedmodel/tensorflow_java/saved_model");
        assertEquals(sm, detector.detect(sm.resolve("saved_model.pb")).modelPath());
        Path ckpt = shared().resolve("tf1_checkpoint/generated_multistep_half_plus_two");
        Detection d = detector.detect(ckpt.resolve("model.ckpt-100.index"));
        assertEquals(ModelFormat.TF_CHECKPOINT, d.format());
        assertEquals(ckpt, d.modelPath());
    }

    @Test
    void onnxTestDataTensorsAreNotMistakenForModels() throws Exception {
        Path data = shared().resolve("onnx/onnx_mlir_mnist/test_data_set_0/input_0.pb");
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class, () -> new FormatDetector().detect(data));
        assertInstanceOf(ModelLoadException.class, e);
        assertEquals(ModelFormat.ONNX, new FormatDetector().detect(shared().resolve("onnx/onnx_mlir_mnist/mnist.onnx")).format());
    }

    @Test
    void tfliteIsRecognisedAndRefusedWithAdvice() {
        Path tflite = shared().resolve("tf2onnx_regression/regression/tflite/model.tflite");
        UnsupportedModelFormatException e = assertThrows(UnsupportedModelFormatException.class,
                () -> new FormatDetector().detect(tflite));
        assertEquals(ModelFormat.TFLITE, e.format());
        assertTrue(e.getMessage().contains("TensorFlow Lite") && e.getMessage().contains("tf2onnx"), e.getMessage());
    }

    private static String rel(Path root, Path d) {
        String r = root.relativize(d).toString().replace('\\', '/');
        return r.isEmpty() ? "." : r;
    }
}
