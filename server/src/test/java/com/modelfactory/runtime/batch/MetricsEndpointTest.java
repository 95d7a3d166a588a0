package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Batch mode serves /metrics and nothing else. */
class MetricsEndpointTest {
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
