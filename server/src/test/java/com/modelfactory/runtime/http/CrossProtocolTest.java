package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One image through every REST way in, on the real tiny CNN: the model's outputs must be bit-identical
 * whether the client sends the pixel tensor (OIP JSON, OIP binary, TF Serving rows and columns) or the
 * encoded PNG (/predict, OIP BYTES as base64 JSON and as binary, TF Serving {"b64"} rows and columns).
 */
class CrossProtocolTest {
    private static final String HEADER = BinaryExtensionHttpTest.HEADER;
    private static TestRuntime rt;
    private static byte[] png;
    private static float[] pixels;
    private static long[] shape;

    @BeforeAll
    static void start() throws Exception {
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString());
        png = Files.readAllBytes(fixture("images/cat32.png"));
        // exactly the tensor /predict makes of the image
        Tensor t = rt.server().service().inputs().image(png);
        pixels = t.toFloats();
        shape = t.shape();
    }

    @AfterAll
    static void stop() {
        if (rt != null) {
            rt.close();
        }
    }

    private static HttpResponse<byte[]> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(rt.uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return r;
    }

    private static String infer() {
        return "/v2/models/" + rt.name() + "/infer";
    }

    private static String predict() {
        return "/v1/models/" + rt.name() + ":predict";
    }

    /** JSON numbers as floats: the server writes each float's shortest form, which reads back exactly. */
    private static int[] bits(JsonArray flat) {
        return TestRuntime.flatten(flat).length == 0 ? new int[0]
                : Arrays.stream(TestRuntime.flatten(flat)).mapToInt(d -> Float.floatToRawIntBits((float) d)).toArray();
    }

    private static int[] bits(ByteBuffer le) {
        int[] out = new int[le.remaining() / 4];
        le.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    private static JsonArray nested(float[] values, long[] dims, int from, int dim) {
        JsonArray a = new JsonArray();
        long stride = 1;
        for (int i = dim + 1; i < dims.length; i++) {
            stride *= dims[i];
        }
        for (int i = 0; i < dims[dim]; i++) {
            a.add(dim == dims.length - 1 ? (Object) values[from + i] : nested(values, dims, (int) (from + i * stride), dim + 1));
        }
        return a;
    }

    private static byte[] binaryRequest(String json, byte[] tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(tail);
        return out.toByteArray();
    }

    private static int[] binaryLogits(HttpResponse<byte[]> r) {
        int head = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
        return bits(ByteBuffer.wrap(r.body(), head, r.body().length - head).slice());
    }

    private static JsonObject json(HttpResponse<byte[]> r) {
        return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void everyRestWayInGivesBitIdenticalOutputs() throws Exception {
        ByteBuffer raw = ByteBuffer.allocate(pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(pixels);
        String binaryJson = "{\"inputs\":[{\"name\":\"input\",\"shape\":" + Arrays.toString(shape).replace(" ", "")
                + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + raw.capacity() + "}}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}";
        int[] want = binaryLogits(post(infer(), binaryRequest(binaryJson, raw.array()),
                HEADER, Integer.toString(binaryJson.getBytes(StandardCharsets.UTF_8).length)));
        assertEquals(10, want.length);

        Map<String, int[]> got = new LinkedHashMap<>();
        JsonArray flat = new JsonArray();
        for (float f : pixels) {
            flat.add(f);
        }
        JsonObject oip = new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("shape", new JsonArray(Arrays.stream(shape).boxed().toList())).put("datatype", "FP32").put("data", flat)));
        got.put("OIP JSON tensor", bits(json(post(infer(), oip.encode().getBytes())).getJsonArray("outputs")
                .getJsonObject(0).getJsonArray("data")));

        long[] row = Arrays.copyOfRange(shape, 1, shape.length);
        JsonObject rows = new JsonObject().put("instances", new JsonArray().add(nested(pixels, row, 0, 0)));
        got.put("V1 rows", bits(json(post(predict(), rows.encode().getBytes())).getJsonArray("predictions")));
        JsonObject columns = new JsonObject().put("inputs", nested(pixels, shape, 0, 0));
        got.put("V1 columns", bits(json(post(predict(), columns.encode().getBytes())).getJsonArray("outputs")));

        got.put("/predict PNG", bits(json(post("/predict", png, "Content-Type", "image/png")).getJsonArray("outputs")
                .getJsonObject(0).getJsonArray("data")));
        String b64 = Base64.getEncoder().encodeToString(png);
        JsonObject bytesJson = new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("shape", new JsonArray().add(1)).put("datatype", "BYTES").put("data", new JsonArray().add(b64))));
        got.put("OIP BYTES base64 JSON", bits(json(post(infer(), bytesJson.encode().getBytes())).getJsonArray("outputs")
                .getJsonObject(0).getJsonArray("data")));
        ByteBuffer element = ByteBuffer.allocate(4 + png.length).order(ByteOrder.LITTLE_ENDIAN).putInt(png.length).put(png);
        String bytesBinary = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"parameters\":"
                + "{\"binary_data_size\":" + element.capacity() + "}}],\"parameters\":{\"binary_data_output\":true}}";
        got.put("OIP BYTES binary", binaryLogits(post(infer(), binaryRequest(bytesBinary, element.array()),
                HEADER, Integer.toString(bytesBinary.length()), "Content-Type", "application/octet-stream")));
        JsonObject b64Rows = new JsonObject().put("instances", new JsonArray().add(new JsonObject().put("b64", b64)));
        got.put("V1 b64 rows", bits(json(post(predict(), b64Rows.encode().getBytes())).getJsonArray("predictions")));
        JsonObject b64Columns = new JsonObject().put("signature_name", "serving_default")
                .put("inputs", new JsonObject().put("input", new JsonArray().add(new JsonObject().put("b64", b64))));
        got.put("V1 b64 columns", bits(json(post("/v1/models/" + rt.name() + "/versions/1:predict",
                b64Columns.encode().getBytes())).getJsonArray("outputs")));

        for (Map.Entry<String, int[]> e : got.entrySet()) {
            assertEquals(Arrays.toString(want), Arrays.toString(e.getValue()), e.getKey());
        }
    }

    @Test
    void aBatchOfEncodedImagesInOneBytesTensor() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(png);
        JsonObject two = new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("shape", new JsonArray().add(2)).put("datatype", "BYTES").put("data", new JsonArray().add(b64).add(b64))));
        JsonObject out = json(post(infer(), two.encode().getBytes())).getJsonArray("outputs").getJsonObject(0);
        assertEquals(new JsonArray().add(2).add(10), out.getJsonArray("shape"));
        int[] values = bits(out.getJsonArray("data"));
        assertEquals(Arrays.toString(Arrays.copyOfRange(values, 0, 10)), Arrays.toString(Arrays.copyOfRange(values, 10, 20)));
        HttpResponse<String> bad = rt.post(infer(), "application/json", two.encode().replace(b64, "bm90IGFuIGltYWdl").getBytes());
        assertEquals(400, bad.statusCode(), bad.body());
    }
}
