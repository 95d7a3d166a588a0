package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection by content on files built here, byte for byte after their formats' layouts, so the rules hold
 * without the shared corpus; {@link SharedModelsDetectionTest} checks them on files the frameworks wrote.
 */
class FormatDetectorTest {
    @TempDir
    Path tmp;
    private final FormatDetector detector = new FormatDetector();

    private Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return p;
    }

    static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static Map<String, String> torchScriptLayout() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("net/data.pkl", "\u0080\u0002}.");
        m.put("net/code/__torch__/net.py", "class Net(Module):\n  def forward(self, x): return x\n");
        m.put("net/constants.pkl", "\u0080\u0002).");
        m.put("net/version", "3\n");
        return m;
    }

    @Test
    void torchScriptIsRecognisedWhateverItsExtension() throws Exception {
        for (String name : new String[] {"a.pt", "b.pth", "c.pt1", "d.zip", "noext"}) {
            Detection d = detector.detect(write(name, zip(torchScriptLayout())));
            assertEquals(ModelFormat.TORCHSCRIPT, d.format(), name);
        }
    }

    @Test
    void aTorchSaveStateDictIsRefusedWithTheTorchScriptRecipe() throws Exception {
        Map<String, String> stateDict = new LinkedHashMap<>();
        stateDict.put("archive/data.pkl", "\u0080\u0002}.");
        stateDict.put("archive/data/0", "xxxx");
        stateDict.put("archive/version", "3\n");
        UnsupportedModelFormatException e = assertThrows(UnsupportedModelFormatException.class,
                () -> detector.detect(write("weights.pth", zip(stateDict))));
        assertEquals(ModelFormat.PYTORCH_PICKLE, e.format());
        assertTrue(e.getMessage().contains("torch.jit.trace") && e.getMessage().contains("torch.jit.script"), e.getMessage());
        assertInstanceOf(ModelLoadException.class, e);

        byte[] legacy = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
            0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
        UnsupportedModelFormatException old = assertThrows(UnsupportedModelFormatException.class,
                () -> detector.detect(write("old.pt", legacy)));
        assertTrue(old.getMessage().contains("legacy"), old.getMessage());
    }

    @Test
    void otherKnownButUnsupportedFormatsSayWhatTheyAre() throws Exception {
        Map<String, String> kerasV3 = Map.of("metadata.json", "{}", "config.json", "{}", "model.weights.h5", "");
        assertUnsupported(write("m.keras", zip(kerasV3)), ModelFormat.KERAS_V3, "model.save('model.h5')");
        byte[] tflite = new byte[64];
        System.arraycopy("TFL3".getBytes(StandardCharsets.US_ASCII), 0, tflite, 4, 4);
        assertUnsupported(write("m.bin", tflite), ModelFormat.TFLITE, "tf2onnx");
    }

    @Test
    void aPmmlDocumentIsRecognisedByItsContent() throws Exception {
        Path xml = write("scoring/m.xml", ("<?xml version=\"1.0\"?>\n<PMML version=\"4.4\" "
                + "xmlns=\"http://www.dmg.org/PMML-4_4\"></PMML>").getBytes(StandardCharsets.UTF_8));
        assertEquals(ModelFormat.PMML, detector.detect(xml).format());
    }

    @Test
    void textWhereAModelShouldBeSaysWhatItIs() throws Exception {
        assertUnrecognised(write("lfs/model.onnx", ("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a21\n"
                + "size 13964571\n").getBytes(StandardCharsets.UTF_8)), "Git LFS pointer", "git lfs pull");
        assertUnrecognised(write("html/model.onnx", "\n<!DOCTYPE html>\n<html><body>Sign in</body></html>"
                .getBytes(StandardCharsets.UTF_8)), "HTML page");
        assertUnrecognised(write("json/model.pt", "{\"error\": \"not found\"}".getBytes(StandardCharsets.UTF_8)),
                "JSON document", "not found");
        assertUnrecognised(write("empty/model.onnx", new byte[0]), "empty file");
        assertUnrecognised(write("zip/model.zip", zip(Map.of("README.txt", "hello", "data.csv", "a,b"))),
                "zip archive that holds no model", "README.txt");
    }

    private void assertUnrecognised(Path file, String... words) {
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class, () -> detector.detect(file));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    private void assertUnsupported(Path file, ModelFormat format, String advice) {
        UnsupportedModelFormatException e = assertThrows(UnsupportedModelFormatException.class, () -> detector.detect(file));
        assertEquals(format, e.format());
        assertTrue(e.getMessage().contains(advice), e.getMessage());
    }

    @Test
    void anOnnxExtensionIsNotEnough() throws Exception {
        // Starts like a ModelProto (field 1 varint) but field 2 has the wrong wire type: an ONNX TensorProto.
        byte[] tensor = {0x08, 0x01, 0x10, 0x01, 0x4a, 0x04, 0, 0, (byte) 0x80, 0x3f};
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
                () -> detector.detect(write("fake.onnx", tensor)));
        assertTrue(e.getMessage().contains("not an ONNX ModelProto"), e.getMessage());
        // A truncated real model: the graph field's length runs past the end of the file.
        byte[] model = com.modelfactory.runtime.fetch.TinyOnnx.identity();
        byte[] cut = java.util.Arrays.copyOf(model, model.length - 5);
        assertThrows(UnrecognizedModelException.class, () -> detector.detect(write("cut.onnx", cut)));
        assertEquals(ModelFormat.ONNX, detector.detect(write("whole.bin", model)).format());
    }

    @Test
    void theFormatOverrideIsTrustedAndTheReasonSaysWhatTheContentLookedLike() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        write("m/graph.pb", "not really a graph".getBytes(StandardCharsets.UTF_8));
        write("m/labels.txt", "cat\ndog\n".getBytes(StandardCharsets.UTF_8));
        assertThrows(UnrecognizedModelException.class, () -> detector.detect(dir));
        Detection d = detector.detect(dir, ModelFormat.FROZEN_GRAPH);
        assertEquals(ModelFormat.FROZEN_GRAPH, d.format());
        assertEquals(dir.resolve("graph.pb"), d.modelPath());
        assertTrue(d.reason().startsWith("MODEL_FORMAT=tf_frozen_graph overrides detection"), d.reason());
        assertThrows(UnsupportedModelFormatException.class, () -> detector.detect(dir, ModelFormat.TFLITE));
    }

    @Test
    void truncatedModelFilesFailWithATypedExceptionNeverACrash() throws Exception {
        java.util.List<byte[]> models = new java.util.ArrayList<>();
        models.add(com.modelfactory.runtime.fetch.TinyOnnx.identity());
        models.add(zip(torchScriptLayout()));
        Path fixtures = Path.of(System.getProperty("fixtures.dir", "absent"));
        for (String f : new String[] {"keras_h5/sequential_mlp/model.h5", "tf_frozen/tiny_cnn/frozen.pb",
                "onnx/tiny_cnn/model.onnx", "torchscript/tiny_cnn_traced/model.pt"}) {
            if (Files.isRegularFile(fixtures.resolve(f))) {
                models.add(Files.readAllBytes(fixtures.resolve(f)));
            }
        }
        int checked = 0;
        for (byte[] model : models) {
            for (int len : new int[] {1, 4, 9, 64, 513, model.length / 2, model.length - 1}) {
                if (len <= 0 || len >= model.length) {
                    continue;
                }
                Path cut = write("cut/" + (checked++) + ".bin", java.util.Arrays.copyOf(model, len));
                try {
                    detector.detect(cut); // some prefixes still look like their format; loading fails later
                } catch (ModelLoadException expected) {
                    // the typed failure start-up reports
                }
            }
        }
        assertTrue(checked >= 14, "checked " + checked + " truncated files");
    }

    @Test
    void anEmptyFolderSaysSo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class, () -> detector.detect(dir));
        assertTrue(e.getMessage().contains("empty folder"), e.getMessage());
    }
}
