package com.modelfactory.runtime.fetch;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One attempt's download progress, logged and reported at most once per interval: bytes, total, percent, rate. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final String safeUrl;
    private final long total;
    private final int attempt;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastReportNanos = startNanos;

    /** @param safeUrl the redacted URL; @param total the Content-Length or -1; @param attempt from 1 */
    Progress(String safeUrl, long total, int attempt, Duration interval) {
        this.safeUrl = safeUrl;
        this.total = total;
        this.attempt = attempt;
        this.intervalNanos = interval.toNanos();
    }

    long total() {
        return total;
    }

    void maybeReport(long bytes, AcquisitionListener listener) {
        long now = System.nanoTime();
        if (now - lastReportNanos < intervalNanos) {
            return;
        }
        lastReportNanos = now;
        DownloadProgress p = new DownloadProgress(bytes, total, attempt, attempt - 1, Duration.ofNanos(now - startNanos));
        String rate = bytes(p.bytesPerSecond()) + "/s";
        String retries = p.retries() == 0 ? "" : " (attempt " + attempt + ")";
        if (total > 0) {
            LOG.info("model download {}: {} of {} ({}%) at {}{}", safeUrl, bytes(bytes), bytes(total),
                    String.format(Locale.ROOT, "%.1f", 100.0 * p.fraction()), rate, retries);
        } else {
            LOG.info("model download {}: {} at {}{}", safeUrl, bytes(bytes), rate, retries);
        }
        listener.downloadProgress(p);
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
