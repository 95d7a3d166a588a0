package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every model folder of the project's own fixtures (fixtures/<format>/<model>/) detected as its category. */
class FixturesDetectionTest {
    private static final Map<String, ModelFormat> CATEGORY = Map.of(
            "onnx", ModelFormat.ONNX,
            "torchscript", ModelFormat.TORCHSCRIPT,
            "keras_h5", ModelFormat.KERAS_H5,
            "tf_savedmodel", ModelFormat.SAVED_MODEL,
            "tf_frozen", ModelFormat.FROZEN_GRAPH,
            "tf1_checkpoint", ModelFormat.TF_CHECKPOINT);
    // tabular/ folders hold a model twice (model.pmml and model.onnx): loaded by file in TabularFixturesTest
    private static final List<String> NOT_MODELS = List.of("gen", "images", "__pycache__", "tabular");

    private final ModelLocator locator = new ModelLocator();

    static Path fixtures() {
        String dir = System.getProperty("fixtures.dir");
        Path p = dir == null ? null : Path.of(dir);
        Assumptions.assumeTrue(p != null && Files.isDirectory(p), "fixtures not present at " + dir);
        return p;
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureFolderIsDetectedAsItsCategory() throws IOException {
        Path root = fixtures();
        List<Path> categories;
        try (Stream<Path> s = Files.list(root)) {
            categories = s.filter(Files::isDirectory).filter(d -> !NOT_MODELS.contains(d.getFileName().toString()))
                    .sorted().toList();
        }
        assertTrue(categories.stream().allMatch(c -> CATEGORY.containsKey(c.getFileName().toString())),
                "a fixture category without an expected format: " + categories);
        return categories.stream().flatMap(category -> {
            try (Stream<Path> s = Files.list(category)) {
                return s.filter(Files::isDirectory).sorted().toList().stream();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).map(dir -> DynamicTest.dynamicTest(root.relativize(dir).toString(), () -> {
            ModelFormat expected = CATEGORY.get(dir.getParent().getFileName().toString());
            Detection d = locator.locate(dir);
            assertEquals(expected, d.format(), d.reason());
            assertTrue(d.modelPath().startsWith(dir), d.modelPath().toString());
        }));
    }

    @Test
    void kerasWeightsWithJsonUseTheLegacyWeightsFileNotTheKeras3One() throws Exception {
        Path dir = fixtures().resolve("keras_h5/weights_and_json");
        Assumptions.assumeTrue(Files.isDirectory(dir));
        Detection d = locator.locate(dir);
        assertEquals(dir.resolve("weights.h5"), d.modelPath());
        assertEquals(dir.resolve("model.json"), KerasFiles.architectureJson(d.modelPath()).orElseThrow());
    }

    @Test
    void checkpointsWithAbsolutePathsInTheStateFileResolveLocally() throws Exception {
        Path dir = fixtures().resolve("tf1_checkpoint/tiny_cnn_abs_paths");
        Assumptions.assumeTrue(Files.isDirectory(dir));
        CheckpointSteps.Checkpoint c = CheckpointSteps.latest(locator.locate(dir).modelPath()).orElseThrow();
        assertEquals(dir.resolve("model.ckpt-300"), c.prefix());
        String reason = locator.locate(fixtures().resolve("tf1_checkpoint/tiny_cnn_steps")).reason();
        assertTrue(reason.contains("newest model.ckpt-300 (step 300)"), reason);
    }
}
