package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.testing.TestRuntime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * With no model configured, the bundled digit classifier is served: the README's quick start works and answers
 * right. Its sample images get their digit with the probability scikit-learn gave (reference.json, written by
 * make_default_model.py); any other image is still answered.
 */
class DefaultModelTest {
    private static final java.nio.file.Path DIR = java.nio.file.Path.of("src", "main", "default-model");

    @Test
    void servesTheBundledClassifierAndItsSamplesGetTheirDigit() throws Exception {
        try (TestRuntime rt = TestRuntime.start()) {
            JsonObject reference = new JsonObject(Files.readString(DIR.resolve("reference.json")));
            for (String sample : reference.fieldNames()) {
                HttpResponse<String> r = rt.post("/predict?top_k=3", "image/png", Files.readAllBytes(DIR.resolve(sample)));
                assertEquals(200, r.statusCode(), r.body());
                JsonObject top = firstTop(r.body());
                assertEquals(reference.getJsonObject(sample).getString("label"), top.getString("label"), r.body());
                assertEquals(reference.getJsonObject(sample).getDouble("probability"), top.getDouble("score"), 1e-4,
                        r.body());
            }
            byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
            HttpResponse<String> r = rt.post("/predict?top_k=1", "image/png", png);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(firstTop(r.body()).containsKey("label"), r.body());
            JsonObject model = new JsonObject(rt.get("/model").body());
            assertEquals("bundled default model", model.getString("source"));
            assertEquals("onnx", model.getString("format"));
        }
    }

    /** The best class of the first (only) image: top_k is one list per image, or the list itself. */
    private static JsonObject firstTop(String body) {
        io.vertx.core.json.JsonArray topK = new JsonObject(body).getJsonArray("top_k");
        Object first = topK.getValue(0);
        return first instanceof io.vertx.core.json.JsonArray perImage ? perImage.getJsonObject(0) : (JsonObject) first;
    }
}
