package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.TinyOnnx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {
    @TempDir
    Path root;
    private final ModelLocator locator = new ModelLocator();
    private final byte[] onnx = TinyOnnx.identity();

    private Path write(String rel, byte[] data) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return p;
    }

    @Test
    void descendsThroughTheLegacyNestingAndIgnoresArchiverNoise() throws Exception {
        Path model = write("model/model/net.onnx", onnx);
        write("__MACOSX/model/model/._net.onnx", new byte[] {0, 5, 22, 7});
        write("model/.DS_Store", new byte[] {0, 0, 0, 1});
        write("model/model/._net.onnx", new byte[] {0, 5, 22, 7});
        write("model-config.yaml", "labels: labels.txt\n".getBytes(StandardCharsets.UTF_8));
        Detection d = locator.locate(root);
        assertEquals(ModelFormat.ONNX, d.format());
        assertEquals(model, d.modelPath());
        assertTrue(d.reason().endsWith("at model/model/net.onnx"), d.reason());
    }

    @Test
    void aFolderWhoseOnlyModelHoldingChildIsOneSubfolderIsAWrapper() throws Exception {
        write("docs/readme.md", "# model".getBytes(StandardCharsets.UTF_8));
        Path model = write("export/net.onnx", onnx);
        assertEquals(model, locator.locate(root).modelPath());
    }

    @Test
    void anUnsupportedFileBesideAFolderWithARealModelDoesNotStopTheSearch() throws Exception {
        write("model/weights.pth", new byte[] {(byte) 0x80, 0x02, '}', '.'});
        Path model = write("model/export/net.onnx", onnx);
        assertEquals(model, locator.locate(root).modelPath());
        Files.delete(model);
        UnsupportedModelFormatException e = assertThrows(UnsupportedModelFormatException.class, () -> locator.locate(root));
        assertEquals(ModelFormat.PYTORCH_PICKLE, e.format());
    }

    @Test
    void versionFoldersPickTheHighestNumberNotTheLongestName() throws Exception {
        write("9/net.onnx", onnx);
        Path ten = write("10/net.onnx", onnx);
        Detection d = locator.locate(root);
        assertEquals(ten, d.modelPath());
        assertTrue(d.reason().contains("version folder 10"), d.reason());
        assertEquals(root.resolve("9/net.onnx"), locator.locate(root, new ModelLocator.Options(null, "9", null)).modelPath());
    }

    @Test
    void theVersionSettingWithoutVersionFoldersIsAnError() throws Exception {
        write("net.onnx", onnx);
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
                () -> locator.locate(root, new ModelLocator.Options(null, "3", null)));
        assertTrue(e.getMessage().contains("MODEL_VERSION_DIR=3"), e.getMessage());
    }

    @Test
    void severalModelsAreListedUntilTheModelFileSettingPicksOne() throws Exception {
        write("model/a.onnx", onnx);
        write("model/b.onnx", onnx);
        AmbiguousModelException e = assertThrows(AmbiguousModelException.class, () -> locator.locate(root));
        assertEquals(2, e.candidates().size());
        assertTrue(e.getMessage().contains("a.onnx") && e.getMessage().contains("b.onnx")
                && e.getMessage().contains("MODEL_FILE"), e.getMessage());
        assertEquals(root.resolve("model/b.onnx"),
                locator.locate(root, new ModelLocator.Options(null, null, "b.onnx")).modelPath());
        UnrecognizedModelException missing = assertThrows(UnrecognizedModelException.class,
                () -> locator.locate(root, new ModelLocator.Options(null, null, "c.onnx")));
        assertTrue(missing.getMessage().contains("model/a.onnx"), missing.getMessage());
    }

    @Test
    void aSavedModelFolderIsTheModelEvenWithVariablesBelowIt() throws Exception {
        // saved_model.pb: schema version 1, one (empty) meta graph.
        write("model/model/saved_model.pb", new byte[] {0x08, 0x01, 0x12, 0x00});
        write("model/model/variables/variables.index", new byte[] {0});
        write("model/model/variables/variables.data-00000-of-00001", new byte[] {0});
        Detection d = locator.locate(root);
        assertEquals(ModelFormat.SAVED_MODEL, d.format());
        assertEquals(root.resolve("model/model"), d.modelPath());
    }

    @Test
    void aCheckpointStateFileFromAnotherMachineStillFindsTheLocalFiles() throws Exception {
        for (int step : new int[] {5, 40, 300}) {
            write("ckpt/model.ckpt-" + step + ".index", new byte[] {0});
            write("ckpt/model.ckpt-" + step + ".data-00000-of-00001", new byte[] {0});
            write("ckpt/model.ckpt-" + step + ".meta", new byte[] {0x0a, 0x00});
        }
        write("ckpt/checkpoint", ("model_checkpoint_path: \"/home/trainer/run7/model.ckpt-40\"\n"
                + "all_model_checkpoint_paths: \"/home/trainer/run7/model.ckpt-40\"\n").getBytes(StandardCharsets.UTF_8));
        Detection d = locator.locate(root);
        assertEquals(ModelFormat.TF_CHECKPOINT, d.format());
        assertEquals(root.resolve("ckpt"), d.modelPath());
        // The newest global step wins, as the legacy find_latest did, whatever the state file says.
        assertEquals(300, CheckpointSteps.latest(d.modelPath()).orElseThrow().step());
        assertEquals("model.ckpt-40", CheckpointSteps.stateFilePrefix(d.modelPath()).orElseThrow());
    }
}
