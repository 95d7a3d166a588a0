package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Responses validated against the official Open Inference Protocol OpenAPI document in ../shared/schemas. */
class OipSchemaTest {
    private static Path spec;
    private static TestRuntime rt;

    @BeforeAll
    static void start() throws Exception {
        Path shared = TestRuntime.sharedModels();
        Path doc = shared == null ? null : shared.getParent().resolve("schemas/open-inference-protocol/open_inference_rest.yaml");
        assumeTrue(doc != null && Files.isRegularFile(doc), "../shared/schemas is absent: OIP schema test skipped");
        spec = doc;
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString());
    }

    @AfterAll
    static void stop() {
        if (rt != null) {
            rt.close();
        }
    }

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

    private static void assertValid(String component, HttpResponse<String> r) {
        JsonSchema schema = SCHEMAS.getSchema(SchemaLocation.of(spec.toUri() + "#/components/schemas/" + component));
        Set<ValidationMessage> errors = schema.validate(r.body(), InputFormat.JSON);
        assertTrue(errors.isEmpty(), component + ": " + errors + " in " + r.body());
    }

    @Test
    void serverMetadata() throws Exception {
        HttpResponse<String> r = rt.get("/v2");
        assertEquals(200, r.statusCode());
        assertValid("metadata_server_response", r);
    }

    @Test
    void modelMetadataPlainAndVersioned() throws Exception {
        for (String path : new String[] {"/v2/models/" + rt.name(), "/v2/models/" + rt.name() + "/versions/1"}) {
            HttpResponse<String> r = rt.get(path);
            assertEquals(200, r.statusCode(), r.body());
            assertValid("metadata_model_response", r);
        }
        assertValid("metadata_model_error_response", rt.get("/v2/models/nope"));
    }

    @Test
    void inferenceResponseAndError() throws Exception {
        var request = TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn")).put("id", "req-7");
        HttpResponse<String> r = rt.post("/v2/models/" + rt.name() + "/versions/1/infer", "application/json",
                request.encode().getBytes());
        assertEquals(200, r.statusCode(), r.body());
        assertValid("inference_response", r);
        assertTrue(r.body().contains("\"id\":\"req-7\""), "the request id is echoed");
        HttpResponse<String> bad = rt.post("/v2/models/" + rt.name() + "/infer", "application/json", "{}".getBytes());
        assertEquals(400, bad.statusCode());
        assertValid("inference_error_response", bad);
    }

    @Test
    void inferenceWithoutIdGetsOneAndBytesAndBinaryInputsStillAnswerValidJson() throws Exception {
        var request = TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn"));
        HttpResponse<String> r = rt.post("/v2/models/" + rt.name() + "/infer", "application/json", request.encode().getBytes());
        assertEquals(200, r.statusCode(), r.body());
        assertValid("inference_response", r);
        assertTrue(new JsonObject(r.body()).getString("id").length() == 36, "a UUID when the request had no id");

        byte[] png = Files.readAllBytes(fixture("images/cat32.png"));
        JsonObject bytes = new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("shape", new JsonArray().add(1)).put("datatype", "BYTES")
                .put("data", new JsonArray().add(Base64.getEncoder().encodeToString(png)))));
        r = rt.post("/v2/models/" + rt.name() + "/infer", "application/json", bytes.encode().getBytes());
        assertEquals(200, r.statusCode(), r.body());
        assertValid("inference_response", r);

        // binary input, JSON output: the response is plain OIP JSON (binary outputs lack "data", which the
        // schema requires, so only the JSON-output case is the schema's to judge)
        byte[] raw = new byte[3 * 32 * 32 * 4];
        String head = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + raw.length + "}}]}";
        byte[] body = new byte[head.length() + raw.length];
        System.arraycopy(head.getBytes(), 0, body, 0, head.length());
        r = rt.send(java.net.http.HttpRequest.newBuilder(rt.uri("/v2/models/" + rt.name() + "/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(head.length()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertEquals(200, r.statusCode(), r.body());
        assertValid("inference_response", r);
        HttpResponse<String> bad = rt.post("/v2/models/" + rt.name() + "/infer", "application/json",
                head.getBytes());
        assertEquals(400, bad.statusCode());
        assertValid("inference_error_response", bad);
    }

    @Test
    void modelMetadataWithItsEncodedImageParametersAndNewRouteErrors() throws Exception {
        HttpResponse<String> r = rt.get("/v2/models/" + rt.name());
        assertTrue(new JsonObject(r.body()).containsKey("parameters"));
        assertValid("metadata_model_response", r);
        assertValid("metadata_model_error_response", rt.get("/v2/models/nope/config"));
        assertValid("metadata_model_error_response", rt.get("/v2/models/nope/stats"));
        assertValid("inference_error_response", rt.post("/v1/models/nope:predict", "application/json", "{}".getBytes()));
    }

    @Test
    void healthAndReadinessAnswer200WhenReady() throws Exception {
        for (String path : new String[] {"/v2/health/live", "/v2/health/ready", "/health/live", "/health/ready",
                "/v2/models/" + rt.name() + "/ready", "/v2/models/" + rt.name() + "/versions/1/ready"}) {
            assertEquals(200, rt.get(path).statusCode(), path);
        }
    }
}
