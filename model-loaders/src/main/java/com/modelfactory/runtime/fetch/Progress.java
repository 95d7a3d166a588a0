package com.modelfactory.runtime.fetch;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Download progress logged at most once per interval: bytes, total, percent and rate. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final String safeUrl;
    private final long total;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;

    Progress(String safeUrl, long total, Duration interval) {
        this.safeUrl = safeUrl;
        this.total = total;
        this.intervalNanos = interval.toNanos();
    }

    void maybeLog(long bytes, AcquisitionListener listener) {
        long now = System.nanoTime();
        if (now - lastLogNanos < intervalNanos) {
            return;
        }
        lastLogNanos = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        String rate = bytes((long) (bytes / seconds)) + "/s";
        if (total > 0) {
            LOG.info("model download {}: {} of {} ({}%) at {}", safeUrl, bytes(bytes), bytes(total),
                    String.format(Locale.ROOT, "%.1f", 100.0 * bytes / total), rate);
        } else {
            LOG.info("model download {}: {} at {}", safeUrl, bytes(bytes), rate);
        }
        listener.downloadProgress(bytes, total);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
