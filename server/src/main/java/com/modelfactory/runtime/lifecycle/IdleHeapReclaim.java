package com.modelfactory.runtime.lifecycle;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap an outsized request grew back once the server is idle. The serial collector only
 * shrinks the heap at a full collection, and an idle server has none: after ten 28 MiB JSON requests the
 * tiny CNN's heap stayed at ~105 MiB committed (32 at start) for as long as the process lived. So when
 * nothing was accepted for a whole {@link #CHECK_SECONDS} interval, nothing is in flight, and the committed
 * heap is over {@link #GROWTH} times what it was last time it was settled, one full collection runs (tens
 * of milliseconds on such a heap); the model-server script's {@code -XX:-ShrinkHeapInSteps
 * -XX:MaxHeapFreeRatio=40} make that one collection shrink it, and {@code -XX:TrimNativeHeapInterval} hands
 * freed native memory back. Under steady load the heap never looks idle, and a heap whose live data
 * really grew is collected once, then taken as the new settled size.
 */
final class IdleHeapReclaim implements AutoCloseable {
    static final long CHECK_SECONDS = 2;
    static final double GROWTH = 1.5;
    private static final Logger log = LoggerFactory.getLogger(IdleHeapReclaim.class);

    private final LongSupplier accepted;
    private final IntSupplier inFlight;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idle-heap-reclaim");
        t.setDaemon(true);
        return t;
    });
    private long settledCommitted;
    private long lastAccepted = -1;

    /**
     * @param accepted a count of requests accepted so far (any change means the server was not idle)
     * @param inFlight requests accepted and not yet answered
     */
    IdleHeapReclaim(LongSupplier accepted, IntSupplier inFlight) {
        this.accepted = accepted;
        this.inFlight = inFlight;
        this.settledCommitted = committed();
        timer.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    private long committed() {
        return memory.getHeapMemoryUsage().getCommitted();
    }

    private void check() {
        try {
            reclaimIfIdle();
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            log.debug("idle heap check", e);
        }
    }

    private void reclaimIfIdle() {
        long now = accepted.getAsLong();
        boolean idle = now == lastAccepted && inFlight.getAsInt() == 0;
        lastAccepted = now;
        long before = committed();
        if (!idle || before <= settledCommitted * GROWTH) {
            return;
        }
        long t0 = System.nanoTime();
        System.gc(); // the point: the one way to make the serial collector shrink an idle heap
        settledCommitted = committed();
        log.info("idle: heap {} -> {} MiB committed after an outsized request ({} ms full collection)",
                before >> 20, settledCommitted >> 20, (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
