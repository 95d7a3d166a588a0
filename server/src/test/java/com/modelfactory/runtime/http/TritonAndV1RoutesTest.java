package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Triton HTTP extensions (PROTOCOLS.md c) and TF Serving's REST surface (d) on the real tiny CNN:
 * the shapes clients read, and the errors they get.
 */
class TritonAndV1RoutesTest {
    private static TestRuntime rt;
    private static String name;

    @BeforeAll
    static void start() throws Exception {
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString());
        name = rt.name();
    }

    @AfterAll
    static void stop() {
        if (rt != null) {
            rt.close();
        }
    }

    private static JsonObject ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return new JsonObject(r.body());
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), "exactly");
        String error = new JsonObject(r.body()).getString("error");
        assertTrue(error.contains(fragment), fragment + " in " + error);
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return rt.send(HttpRequest.newBuilder(rt.uri(path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void serverMetadataAdvertisesWhatIsImplemented() throws Exception {
        JsonObject m = ok(rt.get("/v2"));
        assertEquals(List.of("binary_tensor_data", "model_configuration", "statistics", "model_repository"),
                m.getJsonArray("extensions").getList());
    }

    @Test
    void modelConfigIsTritonsModelConfigJson() throws Exception {
        for (String path : new String[] {"/v2/models/" + name + "/config", "/v2/models/" + name + "/versions/1/config"}) {
            JsonObject c = ok(rt.get(path));
            assertEquals(name, c.getString("name"));
            assertEquals("onnxruntime_onnx", c.getString("platform"));
            assertEquals("onnxruntime", c.getString("backend"));
            assertEquals("", c.getString("runtime"));
            assertEquals(1, c.getJsonObject("version_policy").getJsonObject("latest").getInteger("num_versions"));
            assertTrue(c.getInteger("max_batch_size") > 0, "batched: dims exclude the batch dimension");
            JsonObject in = c.getJsonArray("input").getJsonObject(0);
            assertEquals(new JsonObject().put("name", "input").put("data_type", "TYPE_FP32").put("format", "FORMAT_NCHW")
                    .put("dims", new JsonArray().add(3).add(32).add(32)).put("is_shape_tensor", false)
                    .put("allow_ragged_batch", false).put("optional", false).put("is_non_linear_format_io", false), in);
            JsonObject out = c.getJsonArray("output").getJsonObject(0);
            assertEquals(new JsonObject().put("name", "logits").put("data_type", "TYPE_FP32")
                    .put("dims", new JsonArray().add(10)).put("label_filename", "").put("is_shape_tensor", false)
                    .put("is_non_linear_format_io", false), out);
            JsonObject batching = c.getJsonObject("dynamic_batching");
            assertTrue(batching.getValue("max_queue_delay_microseconds") instanceof Number, "int64 as a JSON number");
            assertEquals(Set.of("preferred_batch_size", "max_queue_delay_microseconds", "preserve_ordering",
                    "priority_levels", "default_priority_level", "priority_queue_policy"), batching.fieldNames());
            JsonObject group = c.getJsonArray("instance_group").getJsonObject(0);
            assertEquals("KIND_CPU", group.getString("kind"));
            assertTrue(group.getInteger("count") >= 1);
            for (String key : new String[] {"batch_input", "batch_output", "default_model_filename", "cc_model_filenames",
                "metric_tags", "parameters", "model_warmup"}) {
                assertTrue(c.containsKey(key), key + " is printed with its default, as Triton does");
            }
        }
        assertError(rt.get("/v2/models/nope/config"), 404, "unknown model 'nope'");
        assertError(rt.get("/v2/models/" + name + "/versions/2/config"), 404, "no version '2'");
    }

    @Test
    void statisticsCountInferences() throws Exception {
        JsonObject before = ok(rt.get("/v2/models/" + name + "/stats")).getJsonArray("model_stats").getJsonObject(0);
        HttpResponse<String> r = rt.infer(TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn")));
        assertEquals(200, r.statusCode());
        for (String path : new String[] {"/v2/models/stats", "/v2/models/" + name + "/stats",
            "/v2/models/" + name + "/versions/1/stats"}) {
            JsonArray all = ok(rt.get(path)).getJsonArray("model_stats");
            assertEquals(1, all.size());
            JsonObject s = all.getJsonObject(0);
            assertEquals(name, s.getString("name"));
            assertEquals("1", s.getString("version"));
            assertTrue(s.getLong("inference_count") > before.getLong("inference_count"));
            assertTrue(s.getLong("execution_count") >= 1);
            assertTrue(s.getLong("last_inference") > 0);
            JsonObject inference = s.getJsonObject("inference_stats");
            for (String k : new String[] {"success", "fail", "queue", "compute_input", "compute_infer", "compute_output",
                "cache_hit", "cache_miss"}) {
                assertEquals(Set.of("count", "ns"), inference.getJsonObject(k).fieldNames(), k);
            }
            assertTrue(inference.getJsonObject("success").getLong("count") >= 1);
            assertTrue(inference.getJsonObject("compute_infer").getLong("ns") > 0);
            JsonObject batch = s.getJsonArray("batch_stats").getJsonObject(0);
            assertEquals(Set.of("batch_size", "compute_input", "compute_infer", "compute_output"), batch.fieldNames());
            assertTrue(s.containsKey("response_stats") && s.containsKey("memory_usage"));
        }
        assertError(rt.get("/v2/models/nope/stats"), 404, "unknown model");
    }

    @Test
    void repositoryIndexLoadAndUnloadAsASingleModelServer() throws Exception {
        JsonArray expected = new JsonArray().add(new JsonObject().put("name", name).put("version", "1").put("state", "READY"));
        for (String body : new String[] {"", "{}", "{\"ready\":true}", "{\"ready\":false}"}) {
            HttpResponse<String> r = send("POST", "/v2/repository/index", body);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals(expected, new JsonArray(r.body()), body);
        }
        assertError(send("POST", "/v2/repository/index", "{\"ready\":1}"), 400, "\"ready\"");
        assertError(send("POST", "/v2/repository/index", "[oops"), 400, "JSON object");
        HttpResponse<String> load = send("POST", "/v2/repository/models/" + name + "/load", "");
        assertEquals(200, load.statusCode(), load.body());
        assertError(send("POST", "/v2/repository/models/other/load", ""), 404, "unknown model 'other'");
        assertError(send("POST", "/v2/repository/models/" + name + "/unload", "{}"), 400, "cannot be unloaded");
        assertEquals(200, rt.get("/v2/health/ready").statusCode(), "still serving");
    }

    @Test
    void wrongMethodsAndUnknownPathsAreJson() throws Exception {
        assertError(send("GET", "/v2/models/" + name + "/infer", null), 405, "method not allowed");
        assertError(send("POST", "/v2/models/" + name + "/config", "{}"), 405, "method not allowed");
        assertError(send("GET", "/v2/repository/index", null), 405, "method not allowed");
        assertError(rt.get("/v2/nothing/here"), 404, "no route");
        assertError(send("DELETE", "/v2/models/stats", null), 405, "method not allowed");
    }

    @Test
    void imageModelsSayTheyTakeEncodedImages() throws Exception {
        JsonObject meta = ok(rt.get("/v2/models/" + name));
        JsonObject p = meta.getJsonObject("parameters");
        assertEquals("input", p.getString("encoded_image_input"));
        assertEquals("BYTES", p.getString("encoded_image_datatype"));
        assertTrue(p.getString("encoded_image_formats").contains("jpeg"));
        assertEquals("base64", p.getString("encoded_image_json"));
        JsonObject model = ok(rt.get("/model")).getJsonObject("encoded_images");
        assertEquals("input", model.getString("input"));
        assertEquals("BYTES", model.getString("datatype"));
        assertTrue(model.getJsonArray("formats").contains("png"));
    }

    @Test
    void tfServingStatusAndMetadata() throws Exception {
        JsonObject expected = new JsonObject().put("model_version_status", new JsonArray().add(new JsonObject()
                .put("version", "1").put("state", "AVAILABLE")
                .put("status", new JsonObject().put("error_code", "OK").put("error_message", ""))));
        assertEquals(expected, ok(rt.get("/v1/models/" + name)));
        assertEquals(expected, ok(rt.get("/v1/models/" + name + "/versions/1")));
        assertEquals(expected, ok(rt.get("/V1/Models/" + name)), "TF Serving matches paths case-insensitively");
        JsonObject meta = ok(rt.get("/v1/models/" + name + "/metadata"));
        assertEquals(new JsonObject().put("name", name).put("signature_name", "").put("version", "1"), meta.getJsonObject("model_spec"));
        JsonObject sig = meta.getJsonObject("metadata").getJsonObject("signature_def").getJsonObject("signature_def")
                .getJsonObject("serving_default");
        JsonObject input = sig.getJsonObject("inputs").getJsonObject("input");
        assertEquals("DT_FLOAT", input.getString("dtype"));
        assertEquals(new JsonArray().add(new JsonObject().put("size", "-1").put("name", "")).add(new JsonObject().put("size", "3")
                .put("name", "")).add(new JsonObject().put("size", "32").put("name", "")).add(new JsonObject().put("size", "32")
                .put("name", "")), input.getJsonObject("tensor_shape").getJsonArray("dim"));
        assertFalse(input.getJsonObject("tensor_shape").getBoolean("unknown_rank"));
        assertEquals("tensorflow/serving/predict", sig.getString("method_name"));
        assertTrue(sig.getJsonObject("outputs").containsKey("logits"));
    }

    @Test
    void tfServingErrors() throws Exception {
        String predict = "/v1/models/" + name + ":predict";
        assertError(rt.post(predict, "application/json", "{\"instances\":[[1]],\"inputs\":[[1]]}".getBytes()), 400,
                "only one of 'inputs' or 'instances'");
        assertError(rt.post(predict, "application/json", "{\"signature_name\":\"serving_default\"}".getBytes()), 400,
                "Missing 'inputs' or 'instances' key");
        assertError(rt.post(predict, "application/json", "{\"signature_name\":\"other\",\"instances\":[{\"b64\":\"\"}]}".getBytes()),
                400, "Serving signature name: \"other\" not found in signature def");
        assertError(rt.post(predict, "application/json", "{\"inputs\":{\"nope\":[1]}}".getBytes()), 400, "unknown input 'nope'");
        assertError(rt.post(predict, "application/json", "{\"inputs\":[[[1,2],[3]]]}".getBytes()), 400, "ragged");
        assertError(rt.post(predict, "application/json", "{\"instances\":[]}".getBytes()), 400, "empty");
        assertError(rt.post("/v1/models/nope:predict", "application/json", "{\"instances\":[[1]]}".getBytes()), 404,
                "Servable not found for request: Latest(nope)");
        assertError(rt.post("/v1/models/" + name + "/versions/3:predict", "application/json", "{}".getBytes()), 404,
                "Specific(" + name + ", 3)");
        assertError(rt.get("/v1/models"), 400, "Missing model name in request.");
        assertError(send("POST", "/v1/models/" + name + "/metadata", "{}"), 400, "Malformed request");
        assertError(send("GET", predict, null), 400, "Malformed request");
        assertError(rt.post("/v1/models/" + name + ":classify", "application/json", "{}".getBytes()), 400, "Malformed request");
        assertError(rt.get("/v1/models/" + name + "/labels/stable"), 404, "no version labels");
    }
}
