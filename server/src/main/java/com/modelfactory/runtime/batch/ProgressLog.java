package com.modelfactory.runtime.batch;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress as a log line every {@code interval}: done, total, failed, images/s, ETA (no terminal). */
final class ProgressLog implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger(ProgressLog.class);

    private final long intervalNanos;
    private long last = System.nanoTime();

    ProgressLog(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void update(Progress.Snapshot p) {
        long now = System.nanoTime();
        if (now - last < intervalNanos) {
            return;
        }
        last = now;
        log.info(line(p));
    }

    @Override
    public void finish(Progress.Snapshot p) {
        log.info(line(p));
    }

    static String line(Progress.Snapshot p) {
        return String.format(Locale.ROOT, "progress: %d/%d images (%.1f%%), %d failed, %.1f images/s, ETA %s",
                p.done(), p.total(), 100 * p.fraction(), p.failed(), p.perSecond(), eta(p.etaSeconds()));
    }

    private static String eta(double seconds) {
        if (seconds < 0) {
            return "unknown";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
