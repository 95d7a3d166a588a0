package com.modelfactory.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LATENCY_BUCKETS sets the bucket bounds of every latency histogram: fewer series, or bounds at an SLO. */
class LatencyBucketsTest {
    @Test
    void theConfiguredBoundsAreTheHistogramsBuckets() throws Exception {
        var config = ConfigLoader.load(new String[0], Map.of("LATENCY_BUCKETS", "0.05, 0.25,1"));
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofSeconds(1)),
                config.server().latencyBuckets());
        RuntimeMetrics metrics = new RuntimeMetrics("m", config.server().latencyBuckets());
        metrics.request("/predict", 200, 30_000_000);
        List<String> buckets = metrics.scrape().lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_bucket")).toList();
        assertEquals(4, buckets.size(), String.join("\n", buckets)); // three bounds and +Inf
        assertTrue(buckets.get(0).contains("le=\"0.05\"") && buckets.get(0).endsWith(" 1"), buckets.get(0));
    }

    @Test
    void boundsOutOfOrderOrNotAboveZeroAreAConfigError() {
        for (String wrong : List.of("0.1,0.01", "0,1", "0.1,0.1", "fast")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.load(new String[0], Map.of("LATENCY_BUCKETS", wrong)));
            assertTrue(e.getMessage().contains("latency_buckets"), e.getMessage());
        }
    }
}
