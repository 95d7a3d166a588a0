package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every client error gets its status and a JSON {"error": ...} that says what was wrong, never a stack
 * trace, and the server keeps serving: each test ends with a good request answered 200.
 */
class HttpErrorsTest {
    private static TestRuntime rt;
    private static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString(), "--max-body-bytes", "200000");
        png = Files.readAllBytes(fixture("images/cat32.png"));
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @AfterEach
    void stillServing() throws Exception {
        HttpResponse<String> r = rt.post("/predict", "image/png", png);
        assertEquals(200, r.statusCode(), "the server must keep serving after an error: " + r.body());
    }

    private static String assertError(HttpResponse<String> r, int status, String... mustMention) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonObject body = new JsonObject(r.body());
        String error = body.getString("error");
        assertFalse(error == null || error.isBlank(), r.body());
        assertFalse(r.body().contains("\tat ") || r.body().contains("Exception:"), "no stack trace: " + r.body());
        for (String m : mustMention) {
            assertTrue(error.contains(m), "error should mention '" + m + "': " + error);
        }
        return error;
    }

    private static String infer() {
        return "/v2/models/" + rt.name() + "/infer";
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertError(rt.post(infer(), "application/json", "{\"inputs\": [".getBytes()), 400, "malformed JSON");
        assertError(rt.post(infer(), "application/json", "[1,2]".getBytes()), 400, "inputs");
    }

    @Test
    void wrongShapeIs400AndSaysWhatIsExpected() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,16,16],\"data\":"
                + zeros(3 * 16 * 16) + "}]}";
        assertError(rt.post(infer(), "application/json", body.getBytes()), 400, "[1, 3, 16, 16]", "[-1, 3, 32, 32]");
    }

    @Test
    void dataNotMatchingShapeIs400() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"data\":[1,2,3]}]}";
        assertError(rt.post(infer(), "application/json", body.getBytes()), 400, "3072", "3 values");
    }

    @Test
    void wrongDatatypeIs400() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"INT64\",\"shape\":[1,3,32,32],\"data\":"
                + zeros(3072) + "}]}";
        assertError(rt.post(infer(), "application/json", body.getBytes()), 400, "INT64", "FP32");
        String unknown = body.replace("INT64", "FLOAT99");
        assertError(rt.post(infer(), "application/json", unknown.getBytes()), 400, "FLOAT99");
    }

    @Test
    void unknownInputOrOutputNameIs400() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"pixels\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"data\":"
                + zeros(3072) + "}]}";
        assertError(rt.post(infer(), "application/json", body.getBytes()), 400, "pixels", "input");
        String out = body.replace("\"pixels\"", "\"input\"").replace("}]}", "}],\"outputs\":[{\"name\":\"nope\"}]}");
        assertError(rt.post(infer(), "application/json", out.getBytes()), 400, "nope", "logits");
    }

    @Test
    void notAnImageIs400() throws Exception {
        assertError(rt.post("/predict", "image/png", "this is not a png".getBytes()), 400, "image");
        assertError(rt.post("/predict", "image/png", new byte[0]), 400, "empty");
        byte[] truncated = java.util.Arrays.copyOf(png, png.length / 2);
        assertError(rt.post("/predict", "image/png", truncated), 400, "image");
        assertError(rt.post("/predict", "application/json", "{\"image\": \"***\"}".getBytes()), 400, "base64");
        assertError(rt.post("/predict", "application/json", "{\"picture\": 1}".getBytes()), 400, "instances");
    }

    @Test
    void unknownModelAndRouteAre404() throws Exception {
        assertError(rt.post("/v2/models/other/infer", "application/json", "{}".getBytes()), 404, "other");
        assertError(rt.get("/v2/models/other"), 404, "other");
        assertError(rt.get("/v2/models/" + rt.name() + "/versions/7"), 404, "7");
        assertError(rt.get("/no/such/route"), 404, "/no/such/route");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        assertError(rt.get("/predict"), 405, "GET");
        assertError(rt.send(HttpRequest.newBuilder(rt.uri("/v2/models/" + rt.name())).DELETE().build()), 405);
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        assertError(rt.post("/predict", "image/png", new byte[300_000]), 413, "MAX_BODY_BYTES");
    }

    @Test
    void unsupportedContentTypeIs415() throws Exception {
        assertError(rt.post("/predict", "text/plain", png), 415, "text/plain", "image");
        assertError(rt.send(Multipart.request(rt.uri(infer()), "f", "x.json", "{}".getBytes())), 415);
    }

    @Test
    void badTopKIs400() throws Exception {
        assertError(rt.post("/predict?top_k=zero", "image/png", png), 400, "top_k");
    }

    private static String zeros(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "0" : ",0");
        }
        return sb.append(']').toString();
    }
}
