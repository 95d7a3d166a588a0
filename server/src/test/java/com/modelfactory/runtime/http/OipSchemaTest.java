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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void healthAndReadinessAnswer200WhenReady() throws Exception {
        for (String path : new String[] {"/v2/health/live", "/v2/health/ready", "/health/live", "/health/ready",
                "/v2/models/" + rt.name() + "/ready", "/v2/models/" + rt.name() + "/versions/1/ready"}) {
            assertEquals(200, rt.get(path).statusCode(), path);
        }
    }
}
