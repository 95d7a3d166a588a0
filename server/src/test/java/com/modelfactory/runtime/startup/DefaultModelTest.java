package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.testing.TestRuntime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** With no model configured, the bundled tiny classifier is served: the README's run command works. */
class DefaultModelTest {

    @Test
    void servesTheBundledClassifierWithLabels() throws Exception {
        try (TestRuntime rt = TestRuntime.start()) {
            byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
            HttpResponse<String> r = rt.post("/predict?top_k=1", "image/png", png);
            assertEquals(200, r.statusCode(), r.body());
            JsonObject top = new JsonObject(r.body()).getJsonArray("top_k").getJsonObject(0);
            assertTrue(top.containsKey("label"), r.body());
            JsonObject model = new JsonObject(rt.get("/model").body());
            assertEquals("bundled default model", model.getString("source"));
            assertEquals("onnx", model.getString("format"));
        }
    }
}
