package com.modelfactory.runtime.bench.load;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one measured run produced. Latencies are kept in microseconds; {@code corrected} is the
 * histogram with coordinated-omission correction, {@code raw} the one without.
 */
public record LoadResult(String label, String url, int concurrency, double warmupSeconds,
                         double measuredSeconds, long requests, long errors, Map<String, Long> statusCounts,
                         long connects, Histogram corrected, Histogram raw, long expectedIntervalMicros) {

    public double throughput() {
        return measuredSeconds <= 0 ? 0 : requests / measuredSeconds;
    }

    /** Successful (2xx) responses per second. */
    public double goodput() {
        return measuredSeconds <= 0 ? 0 : (requests - errors) / measuredSeconds;
    }

    public String toJson() {
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "label", label).append(',');
        field(b, "url", url).append(',');
        b.append("\"concurrency\":").append(concurrency).append(',');
        b.append("\"warmup_s\":").append(num(warmupSeconds)).append(',');
        b.append("\"measured_s\":").append(num(measuredSeconds)).append(',');
        b.append("\"requests\":").append(requests).append(',');
        b.append("\"errors\":").append(errors).append(',');
        b.append("\"connects\":").append(connects).append(',');
        b.append("\"throughput_rps\":").append(num(throughput())).append(',');
        b.append("\"goodput_rps\":").append(num(goodput())).append(',');
        b.append("\"status\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : new TreeMap<>(statusCounts).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('"').append(e.getKey()).append("\":").append(e.getValue());
        }
        b.append("},");
        b.append("\"expected_interval_ms\":").append(num(expectedIntervalMicros / 1000.0)).append(',');
        b.append("\"latency_ms\":");
        latency(b, corrected).append(',');
        b.append("\"latency_raw_ms\":");
        latency(b, raw);
        return b.append('}').toString();
    }

    public String summary() {
        return String.format(Locale.ROOT,
                "%-28s c=%-3d %9.1f req/s  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms  errors %d  conns %d",
                label, concurrency, throughput(), ms(corrected.getValueAtPercentile(50)),
                ms(corrected.getValueAtPercentile(90)), ms(corrected.getValueAtPercentile(99)),
                ms(corrected.getMaxValue()), errors, connects);
    }

    private static StringBuilder latency(StringBuilder b, Histogram h) {
        b.append('{');
        b.append("\"count\":").append(h.getTotalCount()).append(',');
        b.append("\"mean\":").append(num(h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0)).append(',');
        b.append("\"p50\":").append(num(ms(h.getValueAtPercentile(50)))).append(',');
        b.append("\"p90\":").append(num(ms(h.getValueAtPercentile(90)))).append(',');
        b.append("\"p99\":").append(num(ms(h.getValueAtPercentile(99)))).append(',');
        b.append("\"p999\":").append(num(ms(h.getValueAtPercentile(99.9)))).append(',');
        b.append("\"max\":").append(num(ms(h.getMaxValue())));
        return b.append('}');
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return b.append('"').append(name).append("\":\"")
                .append(value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
}
