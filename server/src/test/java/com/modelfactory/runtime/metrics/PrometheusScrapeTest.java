package com.modelfactory.runtime.metrics;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operations see: a real Prometheus server (Debian package "prometheus") scrapes the runtime every
 * second on loopback and answers queries for the request counter and the batch-size histogram; promtool
 * accepts the exposition. Skipped, with a message, where the binaries are not installed.
 */
class PrometheusScrapeTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static boolean installed(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String model() {
        return fixture("onnx/tiny_cnn").resolve("model.onnx").toString();
    }

    private static void serveSome(TestRuntime rt) throws Exception {
        JsonObject request = TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn"));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, rt.infer(request).statusCode());
        }
        assertEquals(404, rt.get("/no/such/route").statusCode());
    }

    @Test
    void promtoolAcceptsTheExposition(@TempDir Path tmp) throws Exception {
        assumeTrue(installed("promtool"), "promtool is not installed (apt-get install -y prometheus); skipping");
        try (TestRuntime rt = TestRuntime.start("--model", model())) {
            serveSome(rt);
            HttpResponse<String> scrape = rt.get("/metrics");
            assertEquals(200, scrape.statusCode());
            Path file = tmp.resolve("scrape.txt");
            Files.writeString(file, scrape.body());
            Process check = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(check.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, check.exitValue(), "promtool check metrics:\n" + out);
            for (String name : List.of("http_server_requests_seconds_bucket", "model_queue_wait_seconds_bucket",
                    "model_batch_size_bucket", "model_inference_seconds_bucket", "model_preprocess_seconds_bucket",
                    "model_queue_depth", "model_requests_in_flight", "model_requests_rejected_total",
                    "model_requests_timed_out_total", "model_load_seconds", "model_warmup_seconds",
                    "model_download_size_bytes", "model_download_duration_seconds", "model_info{",
                    "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_seconds_total",
                    "process_resident_memory_bytes")) {
                assertTrue(scrape.body().contains(name), "the scrape lacks " + name);
            }
            assertTrue(scrape.body().contains("model_info{device=\"cpu\",engine=\"onnxruntime\",format=\"onnx\""),
                    "model_info labels");
        }
    }

    @Test
    void prometheusScrapesTheRequestCounterAndBatchSizeHistogram(@TempDir Path tmp) throws Exception {
        assumeTrue(installed("prometheus"), "prometheus is not installed (apt-get install -y prometheus); skipping");
        try (TestRuntime rt = TestRuntime.start("--model", model())) {
            serveSome(rt);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: model-runtime
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(rt.server().port()));
            Path log = tmp.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String counter = "http_server_requests_seconds_count{job=\"model-runtime\","
                        + "route=\"/v2/models/{name}/infer\",status=\"200\"}";
                assertEquals(3.0, await(port, counter, prometheus, log), "the infer request counter");
                double batches = await(port, "model_batch_size_bucket{job=\"model-runtime\",le=\"+Inf\"}",
                        prometheus, log);
                assertEquals(3.0, batches, "three requests, three batches");
                assertEquals(6.0, await(port, "model_batch_size_sum{job=\"model-runtime\"}", prometheus, log),
                        "each request carried the two reference images");
                assertEquals(1.0, await(port, "http_server_requests_seconds_count{job=\"model-runtime\","
                        + "route=\"unmatched\",status=\"404\"}", prometheus, log));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** Queries Prometheus until the series has a sample, within a bounded time; returns its value. */
    private static double await(int port, String query, Process prometheus, Path log) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < end) {
            assertTrue(prometheus.isAlive(), "prometheus exited:\n" + Files.readString(log));
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = r.body();
                if (r.statusCode() == 200) {
                    var result = new JsonObject(r.body()).getJsonObject("data").getJsonArray("result");
                    if (!result.isEmpty()) {
                        return Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
                    }
                }
            } catch (IOException notUpYet) {
                last = notUpYet.toString();
            }
            prometheus.waitFor(200, TimeUnit.MILLISECONDS); // returns at once if prometheus dies
        }
        throw new AssertionError("prometheus never had " + query + "; last answer: " + last + "\n"
                + Files.readString(log));
    }
}
