package com.modelfactory.runtime.http;

import java.util.function.LongSupplier;

/**
 * Keeps the access log from becoming the bottleneck under load: at most {@code maxPerSecond} lines a second
 * (0 = no cap); the requests past it are counted, and the first request of the next second reports how many went
 * unlogged. A load of 15,000 requests a second would otherwise write 15,000 lines a second through one appender.
 */
final class AccessLogSampler {
    /** What to do for one request: log it, and first say how many the last second left out (0 for none). */
    record Decision(boolean log, long leftOutBefore) {
    }

    private final int maxPerSecond;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int logged;
    private long leftOut;

    AccessLogSampler(int maxPerSecond, LongSupplier nanoClock) {
        this.maxPerSecond = maxPerSecond;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    synchronized Decision next() {
        if (maxPerSecond <= 0) {
            return new Decision(true, 0);
        }
        long now = nanoClock.getAsLong();
        long reported = 0;
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            logged = 0;
            reported = leftOut;
            leftOut = 0;
        }
        if (logged < maxPerSecond) {
            logged++;
            return new Decision(true, reported);
        }
        leftOut++;
        return new Decision(false, reported);
    }
}
