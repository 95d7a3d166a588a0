package com.modelfactory.runtime.lifecycle;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while clients load one model of a repository: the drain covers every model (it once failed with a
 * NullPointerException, as the one-model path asked a service a repository does not have), the process exits 0,
 * every answered request is a 200 or, once draining, a 503, and the log has no ERROR.
 */
class RepositorySigtermTest {

    @Test
    void aRepositoryDrainsOnSigtermUnderLoad(@TempDir Path repo) throws Exception {
        Files.createDirectories(repo.resolve("a/1"));
        Files.createDirectories(repo.resolve("b/1"));
        Files.copy(fixture("onnx/tiny_cnn/model.onnx"), repo.resolve("a/1/model.onnx"));
        Files.copy(fixture("onnx/mnist_flat/model.onnx"), repo.resolve("b/1/model.onnx"));
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        byte[] body = TestRuntime.inferRequest(ref).toBuffer().getBytes();
        try (ChildRuntime child = ChildRuntime.start(List.of(), "--model-repository", repo.toString(),
                "--drain-timeout-ms", "20000")) {
            child.awaitReady(Duration.ofSeconds(90));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Await.until("model a ready", () -> status(http, child, "/v2/models/a/ready") == 200);
            Await.until("model b ready", () -> status(http, child, "/v2/models/b/ready") == 200);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            ConcurrentHashMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(CompletableFuture.runAsync(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(child.uri("/v2/models/a/infer"))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            }
                        } catch (Exception e) {
                            return; // the server stopped listening: this client is done
                        }
                    }
                }));
            }
            Await.until("requests answered under load", () -> ok.get() > 100);
            child.process().toHandle().destroy(); // SIGTERM
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the runtime did not exit");
            stop.set(true);
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            String log = child.log();
            assertEquals(0, child.process().exitValue(), log);
            assertTrue(log.contains("drained; stopped"), log);
            assertFalse(log.contains(" ERROR "), log);
            statuses.keySet().forEach(code -> assertTrue(code == 200 || code == 503, "status " + code + ": " + statuses));
        }
    }

    private static int status(HttpClient http, ChildRuntime child, String path) {
        try {
            return http.send(HttpRequest.newBuilder(child.uri(path)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
