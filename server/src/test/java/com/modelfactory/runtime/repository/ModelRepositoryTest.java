package com.modelfactory.runtime.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository of real models in four formats (ONNX, TorchScript, TF SavedModel, Keras H5) served by one
 * process, each answering what its framework computed (reference.json) as when served alone, beside a
 * broken model that is reported and does not stop the others; versions, per-model settings, and Triton's
 * repository API (explicit load and unload while another model is under load).
 */
class ModelRepositoryTest {
    private static final Map<String, String> FIXTURES = Map.of(
            "cnn", "onnx/tiny_cnn", "torch", "torchscript/tiny_cnn_traced",
            "savedmodel", "tf_savedmodel/tiny_cnn", "keras", "keras_h5/functional_cnn");
    @TempDir
    static Path repo;
    private static TestRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        for (Map.Entry<String, String> e : FIXTURES.entrySet()) {
            copy(TestRuntime.fixture(e.getValue()), repo.resolve(e.getKey()).resolve("1"));
        }
        copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve("cnn").resolve("2")); // served: latest:1
        Files.writeString(repo.resolve("cnn").resolve("model-config.yaml"), "batching:\n  max_batch_size: 4\n");
        Files.createDirectories(repo.resolve("broken").resolve("1"));
        Files.writeString(repo.resolve("broken").resolve("1").resolve("model.onnx"), "<html>not a model</html>");
        runtime = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode", "explicit",
                "--load-models", "*", "--max-batch-size", "8");
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("reference.json")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return runtime.post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonArray index() throws Exception {
        return new JsonArray(post("/v2/repository/index", "{}").body());
    }

    @Test
    void everyFormatAnswersAsItsFrameworkDidAndTheBrokenModelIsReported() throws Exception {
        for (Map.Entry<String, String> e : FIXTURES.entrySet()) {
            JsonObject ref = TestRuntime.reference(e.getValue());
            HttpResponse<String> r = post("/v2/models/" + e.getKey() + "/infer", TestRuntime.inferRequest(ref).encode());
            assertEquals(200, r.statusCode(), e.getKey() + ": " + r.body());
            JsonObject out = new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0);
            String expectedName = ref.getJsonObject("outputs").fieldNames().iterator().next();
            double diff = TestRuntime.maxAbsDiff(TestRuntime.doubles(out.getJsonArray("data")),
                    TestRuntime.doubles(ref.getJsonObject("outputs").getJsonObject(expectedName).getJsonArray("data")));
            assertTrue(diff < 1e-4, e.getKey() + " differs from its framework by " + diff);
        }
        JsonArray index = index();
        assertTrue(index.stream().map(JsonObject.class::cast).anyMatch(m -> m.getString("name").equals("broken")
                && m.getString("state").equals("UNAVAILABLE") && m.getString("reason").contains("failed to load")),
                index.encode());
        assertEquals(200, runtime.get("/v2/health/ready").statusCode(), "a model not marked required does not "
                + "hold the server's readiness");
        assertEquals(503, runtime.get("/v2/models/broken/ready").statusCode());
        HttpResponse<String> broken = post("/v2/models/broken/infer", "{}");
        assertEquals(404, broken.statusCode(), broken.body());
        assertTrue(broken.body().contains("failed to load"), broken.body());
        assertEquals(404, post("/v2/models/nothing/infer", "{}").statusCode());
    }

    @Test
    void theVersionPolicyAndTheModelsOwnSettingsApply() throws Exception {
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        assertEquals(200, post("/v2/models/cnn/versions/2/infer", TestRuntime.inferRequest(ref).encode()).statusCode());
        HttpResponse<String> v1 = post("/v2/models/cnn/versions/1/infer", TestRuntime.inferRequest(ref).encode());
        assertEquals(404, v1.statusCode(), "latest:1 serves version 2 only: " + v1.body());
        JsonObject meta = new JsonObject(runtime.get("/v2/models/cnn").body());
        assertEquals(List.of("2"), meta.getJsonArray("versions").getList());
        JsonObject config = new JsonObject(runtime.get("/v2/models/cnn/config").body());
        assertEquals(4, config.getInteger("max_batch_size"), "cnn/model-config.yaml's max_batch_size beats the flag");
        assertEquals(8, new JsonObject(runtime.get("/v2/models/savedmodel/config").body()).getInteger("max_batch_size"),
                "the other models keep the server-wide setting (--max-batch-size 8)");
    }

    @Test
    void unloadAndLoadLeaveTheOtherModelsServing() throws Exception {
        String cnnRequest = TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn")).encode();
        String torchRequest = TestRuntime.inferRequest(TestRuntime.reference("torchscript/tiny_cnn_traced")).encode();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = post("/v2/models/cnn/infer", cnnRequest);
                        if (r.statusCode() == 200) {
                            served.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        try {
            Await.until("the clients are under way", () -> served.get() > 20);
            assertEquals(200, post("/v2/repository/models/torch/unload", "").statusCode());
            HttpResponse<String> gone = post("/v2/models/torch/infer", torchRequest);
            assertEquals(404, gone.statusCode(), gone.body());
            assertTrue(index().stream().map(JsonObject.class::cast).anyMatch(m -> m.getString("name").equals("torch")
                    && m.getString("state").equals("UNAVAILABLE") && "unloaded".equals(m.getString("reason"))));
            String scrape = runtime.get("/metrics").body();
            assertTrue(scrape.lines().noneMatch(l -> l.startsWith("model_info{") && l.contains("model=\"torch\"")),
                    "model_info of the unloaded model is gone from the scrape");
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("model_info{") && !l.contains("model=\"torch\"")),
                    "the other models' model_info stays: " + scrape.lines().filter(l -> l.contains("model_info")).toList());
            HttpResponse<String> load = post("/v2/repository/models/torch/load",
                    "{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 2}\"}}");
            assertEquals(200, load.statusCode(), load.body());
            assertEquals(200, post("/v2/models/torch/infer", torchRequest).statusCode());
            assertEquals(2, new JsonObject(runtime.get("/v2/models/torch/config").body()).getInteger("max_batch_size"),
                    "the load request's config");
            int before = served.get();
            Await.until("more requests served after the reload", () -> served.get() > before + 20);
            assertTrue(runtime.get("/metrics").body().lines().anyMatch(l -> l.startsWith("model_info{")
                    && l.contains("model=\"torch\"")), "model_info of the reloaded model is back");
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join();
            }
        }
        assertEquals(List.of(), failures, "requests to the model that stayed");
        assertEquals(404, post("/v2/repository/models/nothing/load", "").statusCode());
    }
}
