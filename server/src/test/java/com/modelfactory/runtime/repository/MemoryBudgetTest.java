package com.modelfactory.runtime.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MODEL_MEMORY_BUDGET with real ONNX models whose model-config.yaml declares what each takes (100 MiB,
 * 300 MiB): a load past the budget unloads the least recently used idle model, a model over the whole
 * budget is refused naming it, and the refuse policy refuses instead of unloading.
 */
class MemoryBudgetTest {
    @TempDir
    Path repo;

    private void model(String name, String memory) throws Exception {
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve(name).resolve("1"));
        Files.writeString(repo.resolve(name).resolve("model-config.yaml"), "model_memory: " + memory + "\n");
    }

    private static HttpResponse<String> post(TestRuntime rt, String path, String body) throws Exception {
        return rt.post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> states(TestRuntime rt) throws Exception {
        return new JsonArray(post(rt, "/v2/repository/index", "{}").body()).stream().map(JsonObject.class::cast)
                .map(m -> m.getString("name") + " " + m.getString("state")).toList();
    }

    @Test
    void aLoadPastTheBudgetUnloadsTheLeastRecentlyUsedIdleModel() throws Exception {
        model("a", "100m");
        model("b", "100m");
        model("c", "100m");
        model("huge", "300m");
        String request = TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn")).encode();
        try (TestRuntime rt = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode",
                "explicit", "--load-models", "a,b", "--model-memory-budget", "250m")) {
            assertEquals(List.of("a READY", "b READY", "c UNAVAILABLE", "huge UNAVAILABLE"), states(rt));
            assertEquals(200, post(rt, "/v2/models/a/infer", request).statusCode());
            assertEquals(200, post(rt, "/v2/models/b/infer", request).statusCode()); // a is now the least recent
            assertEquals(200, post(rt, "/v2/repository/models/c/load", "").statusCode());
            assertEquals(List.of("a UNAVAILABLE", "b READY", "c READY", "huge UNAVAILABLE"), states(rt));
            assertEquals(404, post(rt, "/v2/models/a/infer", request).statusCode());
            assertEquals(200, post(rt, "/v2/models/c/infer", request).statusCode());
            String metrics = rt.get("/metrics").body();
            assertTrue(metrics.contains("model_batch_size_count{model=\"c\",version=\"1\"}"), "per-model series carry "
                    + "model and version");
            assertTrue(metrics.contains("model_repository_evictions_total 1.0"), metrics);
            assertTrue(metrics.contains("model_repository_memory_used_bytes 2.097152E8"),
                    "b and c, 100 MiB each");

            HttpResponse<String> huge = post(rt, "/v2/repository/models/huge/load", "");
            assertEquals(400, huge.statusCode(), huge.body());
            assertTrue(huge.body().contains("more than the whole memory budget"), huge.body());
            assertEquals(List.of("a UNAVAILABLE", "b READY", "c READY", "huge UNAVAILABLE"), states(rt),
                    "nothing was unloaded for a model that can never fit");
        }
    }

    @Test
    void theRefusePolicyRefusesInsteadOfUnloading() throws Exception {
        model("a", "100m");
        model("b", "100m");
        model("c", "100m");
        try (TestRuntime rt = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode",
                "explicit", "--load-models", "a,b", "--model-memory-budget", "250m", "--memory-budget-policy", "refuse")) {
            HttpResponse<String> c = post(rt, "/v2/repository/models/c/load", "");
            assertEquals(503, c.statusCode(), c.body());
            assertTrue(c.body().contains("memory budget is full"), c.body());
            assertEquals(List.of("a READY", "b READY", "c UNAVAILABLE"), states(rt));
        }
    }
}
