package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch mode serves /metrics and nothing else. */
class MetricsEndpointTest {
    @Test
    void promtoolAcceptsTheBatchMetrics(@TempDir Path tmp) throws Exception {
        boolean promtool;
        try {
            Process p = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            promtool = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            promtool = false;
        }
        assumeTrue(promtool, "promtool is not installed (apt-get install -y prometheus); skipping");
        RuntimeMetrics metrics = new RuntimeMetrics("m");
        BatchMetrics.registerProgress(metrics, new Progress(3, 0, 0));
        Path file = Files.writeString(tmp.resolve("scrape.txt"), metrics.scrape());
        Process check = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), "promtool check metrics:\n" + out);
    }

    @Test
    void servesPrometheusTextOnMetricsOnly() throws Exception {
        RuntimeMetrics metrics = new RuntimeMetrics("m");
        Progress progress = new Progress(10, 4, 1);
        progress.succeeded();
        BatchMetrics.registerProgress(metrics, progress);
        HttpClient client = HttpClient.newHttpClient();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics)) {
            String base = "http://127.0.0.1:" + endpoint.port();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(r.body().contains("batch_images 10.0"), r.body());
            assertTrue(r.body().contains("batch_images_done_total{result=\"ok\"} 4.0"), r.body());
            assertTrue(r.body().contains("batch_images_done_total{result=\"error\"} 1.0"), r.body());
            for (String path : new String[] {"/", "/predict", "/metrics/x"}) {
                assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), path);
            }
            assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
