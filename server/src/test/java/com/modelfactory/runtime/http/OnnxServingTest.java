package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.doubles;
import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static com.modelfactory.runtime.testing.TestRuntime.flatten;
import static com.modelfactory.runtime.testing.TestRuntime.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * ONNX models made by torch (fixtures) and by third parties (shared corpus) served over HTTP, checked
 * against the framework's own outputs at batch 1 and batch > 1.
 */
class OnnxServingTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"onnx/tiny_cnn", "onnx/mnist_flat"})
    void predictWithImageMatchesReference(String dir) throws Exception {
        JsonObject ref = TestRuntime.reference(dir);
        JsonObject image = ref.getJsonObject("image");
        Path png = fixture(dir).resolve(image.getString("file")).normalize();
        byte[] bytes = Files.readAllBytes(png);
        try (TestRuntime rt = TestRuntime.start("--model", fixture(dir).resolve("model.onnx").toString())) {
            JsonObject expected = image.getJsonObject("outputs");
            String outName = expected.fieldNames().iterator().next();
            double[] want = doubles(expected.getJsonObject(outName).getJsonArray("data"));

            for (HttpResponse<String> r : List.of(
                    rt.post("/predict", "image/png", bytes),
                    rt.post("/predict", "application/octet-stream", bytes),
                    rt.post("/predict", "application/json", new JsonObject()
                            .put("image", Base64.getEncoder().encodeToString(bytes)).encode().getBytes()),
                    rt.send(Multipart.request(rt.uri("/predict"), "file", png.getFileName().toString(), bytes)))) {
                assertEquals(200, r.statusCode(), r.body());
                JsonObject body = new JsonObject(r.body());
                assertTrue(maxAbsDiff(want, flatten(body.getJsonArray("predictions"))) <= TOLERANCE, r.body());
                JsonObject out = body.getJsonArray("outputs").getJsonObject(0);
                assertEquals(outName, out.getString("name"));
                assertEquals(List.of(1, 10), out.getJsonArray("shape").getList());
            }
        }
    }

    @Test
    void topKNamesLabelsFromTheLabelsFileBesideTheModel() throws Exception {
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        byte[] png = Files.readAllBytes(fixture("onnx/tiny_cnn").resolve(ref.getJsonObject("image").getString("file")));
        List<String> labels = Files.readAllLines(fixture("onnx/tiny_cnn/labels.txt"));
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString())) {
            HttpResponse<String> r = rt.post("/predict?top_k=3", "image/png", png);
            assertEquals(200, r.statusCode(), r.body());
            JsonArray top = new JsonObject(r.body()).getJsonArray("top_k");
            double[] scores = doubles(ref.getJsonObject("image").getJsonObject("outputs")
                    .getJsonObject("logits").getJsonArray("data"));
            Integer[] order = new Integer[scores.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
            assertEquals(3, top.size());
            for (int i = 0; i < 3; i++) {
                JsonObject e = top.getJsonObject(i);
                assertEquals(order[i], e.getInteger("index"));
                assertEquals(labels.get(order[i]).strip(), e.getString("label"));
            }
        }
    }

    @Test
    void instancesJsonIsAcceptedByPredict() throws Exception {
        JsonObject ref = TestRuntime.reference("onnx/initializer_inputs");
        JsonObject input = ref.getJsonObject("inputs").getJsonObject("input");
        double[] flat = doubles(input.getJsonArray("data"));
        int cols = input.getJsonArray("shape").getInteger(1);
        JsonArray rows = new JsonArray();
        for (int r = 0; r < flat.length / cols; r++) {
            JsonArray row = new JsonArray();
            for (int c = 0; c < cols; c++) {
                row.add(flat[r * cols + c]);
            }
            rows.add(row);
        }
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/initializer_inputs/model.onnx").toString())) {
            HttpResponse<String> r = rt.post("/predict", "application/json",
                    new JsonObject().put("instances", rows).encode().getBytes());
            assertEquals(200, r.statusCode(), r.body());
            double[] want = doubles(ref.getJsonObject("outputs").getJsonObject("output").getJsonArray("data"));
            assertTrue(maxAbsDiff(want, flatten(new JsonObject(r.body()).getJsonArray("predictions"))) <= TOLERANCE);
        }
    }

    @Test
    void initializersListedAsGraphInputsAreNotInputs() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/initializer_inputs/model.onnx").toString())) {
            JsonObject meta = new JsonObject(rt.get("/v2/models/" + rt.name()).body());
            assertEquals(1, meta.getJsonArray("inputs").size(), meta.encode());
            assertEquals("input", meta.getJsonArray("inputs").getJsonObject(0).getString("name"));
        }
    }

    @Test
    void sharedCorpusOnnxMlirMnistMatchesItsTestDataSet() throws Exception {
        Path shared = TestRuntime.sharedModels();
        assumeTrue(shared != null, "../shared/models is absent: shared-corpus test skipped");
        Path dir = shared.resolve("onnx/onnx_mlir_mnist");
        OnnxTensorProto in = OnnxTensorProto.read(dir.resolve("test_data_set_0/input_0.pb"));
        OnnxTensorProto out = OnnxTensorProto.read(dir.resolve("test_data_set_0/output_0.pb"));
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve("mnist.onnx").toString())) {
            JsonObject meta = new JsonObject(rt.get("/v2/models/" + rt.name()).body());
            String inputName = meta.getJsonArray("inputs").getJsonObject(0).getString("name");
            JsonObject req = new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
                    .put("name", inputName).put("datatype", "FP32").put("shape", new JsonArray(toList(in.dims())))
                    .put("data", new JsonArray(toList(in.floats())))));
            HttpResponse<String> r = rt.infer(req);
            assertEquals(200, r.statusCode(), r.body());
            double[] got = doubles(new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data"));
            double[] want = new double[out.floats().length];
            for (int i = 0; i < want.length; i++) {
                want[i] = out.floats()[i];
            }
            assertTrue(maxAbsDiff(want, got) <= TOLERANCE, "diff " + maxAbsDiff(want, got));
            // the PNG beside it goes through /predict to the same digit class
            HttpResponse<String> p = rt.post("/predict?top_k=1", "image/png",
                    Files.readAllBytes(dir.resolve("mnist-simple.png")));
            assertEquals(200, p.statusCode(), p.body());
        }
    }

    @Test
    void sharedCorpusFixedBatchModelWithInitializerInputsServesSingleImages() throws Exception {
        Path shared = TestRuntime.sharedModels();
        assumeTrue(shared != null, "../shared/models is absent: shared-corpus test skipped");
        Path model = shared.resolve("onnx/dl4j_output_cnn_mnist/output_cnn_mnist.onnx");
        try (TestRuntime rt = TestRuntime.start("--model", model.toString())) {
            JsonObject meta = new JsonObject(rt.get("/v2/models/" + rt.name()).body());
            JsonArray inputs = meta.getJsonArray("inputs");
            assertEquals(1, inputs.size(), "weights listed as graph inputs must not be inputs: " + meta.encode());
            JsonArray shape = inputs.getJsonObject(0).getJsonArray("shape");
            assertEquals(10L, ((Number) shape.getValue(0)).longValue(), "the file has a fixed batch of 10");
            long[] dims = shape.stream().mapToLong(d -> ((Number) d).longValue()).toArray();
            dims[0] = 1;
            int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            JsonArray data = new JsonArray();
            for (int i = 0; i < n; i++) {
                data.add((i % 7) / 7.0);
            }
            JsonObject req = new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
                    .put("name", inputs.getJsonObject(0).getString("name")).put("datatype", "FP32")
                    .put("shape", new JsonArray(Arrays.stream(dims).boxed().toList())).put("data", data)));
            HttpResponse<String> r = rt.infer(req);
            assertEquals(200, r.statusCode(), r.body());
            JsonObject out = new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0);
            assertEquals(1L, ((Number) out.getJsonArray("shape").getValue(0)).longValue(),
                    "a request of one row is padded to the fixed batch and answered with one row");
        }
    }

    private static List<Object> toList(long[] a) {
        return Arrays.stream(a).boxed().map(x -> (Object) x).toList();
    }

    private static List<Object> toList(float[] a) {
        List<Object> l = new java.util.ArrayList<>();
        for (float f : a) {
            l.add(f);
        }
        return l;
    }

    static void assertShape(long[] want, JsonArray got) {
        assertArrayEquals(want, got.stream().mapToLong(x -> ((Number) x).longValue()).toArray());
    }

    static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
