package com.modelfactory.runtime.fetch;

import static com.modelfactory.runtime.fetch.LoopbackStore.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.format.CheckpointSteps;
import com.modelfactory.runtime.engine.ModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real model folders from the shared corpus, packed in the legacy store layout (model/model/…) and served
 * by the loopback store: what a vendor's delivery looks like on the way in.
 */
class SharedModelsAcquisitionTest {
    @TempDir
    Path modelDir;

    static Path shared(String rel) {
        String dir = System.getProperty("shared.models.dir");
        Path p = dir == null ? null : Path.of(dir).resolve(rel);
        Assumptions.assumeTrue(p != null && Files.isDirectory(p), "shared model corpus not present at " + dir);
        return p;
    }

    /** Every file under {@code folder}, named model/model/<relative path>, folders included. */
    static Map<String, byte[]> legacy(Path folder) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model/", null);
        entries.put("model/model/", null);
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(p -> !p.equals(folder)).sorted().toList()) {
                String rel = "model/model/" + folder.relativize(p).toString().replace('\\', '/');
                entries.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? null : Files.readAllBytes(p));
            }
        }
        return entries;
    }

    private AcquiredModel fetch(byte[] archive) throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(archive))) {
            return new ModelAcquirer().acquire(TestSettings.builder().storeAddress(s.base()).modelId("vendor-model")
                    .modelVersion("3").guid("g").modelDir(modelDir).build());
        }
    }

    @Test
    void tfServingVersionFoldersInATarGzServeTheHighestVersion() throws Exception {
        Path src = shared("savedmodel/tensorflow_serving/saved_model_half_plus_two_2_versions");
        AcquiredModel m = fetch(TestArchives.tarGz(legacy(src)));
        assertEquals(ModelFormat.SAVED_MODEL, m.format());
        assertEquals(modelDir.resolve("vendor-model/3/model/model/00000124"), m.modelPath());
        assertArrayEquals(Files.readAllBytes(src.resolve("00000124/saved_model.pb")),
                Files.readAllBytes(m.modelPath().resolve("saved_model.pb")));
    }

    @Test
    void aMultiStepCheckpointInAZipServesStep300() throws Exception {
        AcquiredModel m = fetch(TestArchives.zip(legacy(shared("tf1_checkpoint/generated_multistep_half_plus_two"))));
        assertEquals(ModelFormat.TF_CHECKPOINT, m.format());
        assertEquals(modelDir.resolve("vendor-model/3/model/model"), m.modelPath());
        assertEquals(300, CheckpointSteps.latest(m.modelPath()).orElseThrow().step());
    }

    @Test
    void aKerasWeightsFileWithItsJsonArchitectureIsFoundBelowTheUaiLayout() throws Exception {
        AcquiredModel m = fetch(TestArchives.zip(legacy(shared("keras_h5/uai_sdk_keras1_mnist"))));
        assertEquals(ModelFormat.KERAS_H5, m.format());
        assertEquals(modelDir.resolve("vendor-model/3/model/model/checkpoint_dir/mnist_model.h5"), m.modelPath());
    }
}
