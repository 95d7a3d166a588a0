package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor's decoder supplied as a jar beside the model: compiled here from source (so its class is on
 * no classpath of the test), put in the model's decoders/ folder, found by ServiceLoader and chosen by
 * name; the runtime does the rest (threshold, NMS, mapping back, labels).
 */
class DecoderJarTest {
    @TempDir
    Path tmp;

    static final String SOURCE = """
            package vendor;
            import com.modelfactory.runtime.answer.*;
            import com.modelfactory.runtime.engine.*;
            import java.util.*;
            public final class CornerDecoder implements OutputDecoder {
                public String name() { return "vendor_corner"; }
                public String mismatch(List<TensorSpec> outputs, int w, int h) {
                    return outputs.get(0).rank() == 2 ? null : "wants a 2-D output";
                }
                public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
                    // the top-left quarter of the input, class 3, and a box below the threshold
                    out.add(0, 0, out.inputWidth() / 2f, out.inputHeight() / 2f, 0.9f, 3, 0);
                    if (conf <= 0.1f) { out.add(1, 1, 2, 2, 0.1f, 1, 1); }
                }
            }
            """;

    @Test
    void aDecoderJarBesideTheModelIsFoundAndUsed() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.copy(TestRuntime.fixture("onnx/tiny_cnn/model.onnx"), model.resolve("model.onnx"));
        Files.write(model.resolve("labels.txt"), List.of("a", "b", "c", "cat"));
        jar(Files.createDirectories(model.resolve("decoders")).resolve("vendor.jar"));
        try (TestRuntime rt = TestRuntime.start("--model", model.resolve("model.onnx").toString(),
                "--decoder", "vendor_corner")) {
            byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
            JsonObject answer = new JsonObject(rt.post("/predict", "image/png", png).body());
            assertEquals("detection", answer.getString("task"), answer.encode());
            JsonArray dets = answer.getJsonArray("detections");
            assertEquals(1, dets.size(), "the 0.1 box is under the default threshold");
            JsonObject d = dets.getJsonObject(0);
            assertEquals("cat", d.getString("label"));
            assertEquals(new JsonArray().add(0.0).add(0.0).add(16.0).add(16.0), d.getJsonArray("box"));
            assertTrue(new JsonObject(rt.post("/predict?conf=0.05", "image/png", png).body())
                    .getJsonArray("detections").size() == 2, "the request's threshold reaches the vendor decoder");
        }
    }

    private void jar(Path target) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/vendor")).resolve("CornerDecoder.java");
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
                src.toString());
        assertEquals(0, rc, "the vendor decoder compiles against the SPI");
        try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("vendor/CornerDecoder.class"));
            jar.write(Files.readAllBytes(classes.resolve("vendor/CornerDecoder.class")));
            jar.putNextEntry(new JarEntry("META-INF/services/" + OutputDecoder.class.getName()));
            jar.write("vendor.CornerDecoder\n".getBytes(StandardCharsets.UTF_8));
        }
    }
}
