package com.modelfactory.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.LoopbackStore;
import com.modelfactory.runtime.fetch.TestArchives;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port opens before the model arrives: during a slow model-store download the process is live,
 * not ready, shows the download's progress in /model and /metrics, answers inference with a counted
 * 503, and becomes ready once the download completes. A probe never sees a dead pod mid-download.
 */
class StartupOrderTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path modelDir;

    @Test
    void liveDuringTheDownloadReadyAfterIt() throws Exception {
        byte[] onnx = Files.readAllBytes(TestRuntime.fixture("onnx/tiny_cnn/model.onnx"));
        byte[] archive = TestArchives.tarGz(TestArchives.legacyLayout("grader.onnx", onnx));
        CountDownLatch release = new CountDownLatch(1);
        LoopbackStore.Reply halfThenWait = (socket, out, closing) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + archive.length + "\r\nContent-Type: application/gzip\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(archive, 0, archive.length / 2);
            out.flush();
            release.await(60, TimeUnit.SECONDS);
            out.write(archive, archive.length / 2, archive.length - archive.length / 2);
        };
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LoopbackStore store = new LoopbackStore(halfThenWait)) {
            Map<String, String> env = Map.of("XQUERY_ADDR", store.base(), "MODEL_ID", "leaf-grader",
                    "MODEL_VERSION", "3", "GUID", "g-1", "MODEL_DIR", modelDir.toString(),
                    "DOWNLOAD_PROGRESS_INTERVAL_MS", "1");
            CompletableFuture<TestRuntime> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestRuntime.start(env, "--port", Integer.toString(port));
                } catch (StartupException e) {
                    throw new IllegalStateException(e);
                }
            });
            String base = "http://127.0.0.1:" + port;
            Await.until("the port is open and live", () -> status(base + "/health/live") == 200);
            assertEquals(503, status(base + "/health/ready"), "not ready while the model downloads");
            Await.until("download progress in /model", () -> downloaded(base) > 0);
            JsonObject model = new JsonObject(get(base + "/model").body());
            assertEquals("acquiring", model.getString("status"), model.encode());
            assertEquals(archive.length, model.getJsonObject("download").getLong("total_bytes"), model.encode());
            assertTrue(metric(base, "model_download_progress_bytes") > 0, "progress gauge in /metrics");

            HttpResponse<String> early = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/leaf-grader/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, early.statusCode(), early.body());
            assertTrue(early.headers().firstValue("Retry-After").isPresent());
            assertTrue(new JsonObject(early.body()).getString("error").contains("being obtained"), early.body());
            assertEquals(1.0, metric(base, "model_requests_rejected_total"), "the early 503 is counted");

            release.countDown();
            try (TestRuntime rt = starting.get(120, TimeUnit.SECONDS)) {
                assertEquals(200, status(base + "/health/ready"));
                assertEquals("leaf-grader", rt.name(), "a store model is named by its MODEL_ID");
                assertEquals(200, status(base + "/v2/models/leaf-grader"));
            }
        }
    }

    private static long downloaded(String base) {
        try {
            JsonObject m = new JsonObject(get(base + "/model").body());
            return m.containsKey("download") ? m.getJsonObject("download").getLong("bytes") : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(String url) {
        try {
            return get(url).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static double metric(String base, String name) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.eE+-]+)").matcher(get(base + "/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
