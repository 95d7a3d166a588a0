package com.modelfactory.runtime.batch;

import java.util.concurrent.atomic.AtomicLong;

/** Counts of a batch run as it goes, read by the progress displays, the YMIR monitor and the metrics. */
public final class Progress {
    private final long total;
    private final long before;
    private final long failedBefore;
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long startNanos = System.nanoTime();

    /**
     * @param total        images of this run's input (this shard), those already recorded included
     * @param before       images already recorded by an earlier run (resume)
     * @param failedBefore of those, the ones recorded as errors
     */
    public Progress(long total, long before, long failedBefore) {
        this.total = total;
        this.before = before;
        this.failedBefore = failedBefore;
    }

    /** The images start running now (the model is loaded): the rate counts from here. */
    void started() {
        startNanos = System.nanoTime();
    }

    void succeeded() {
        succeeded.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    /**
     * @param done       images recorded, by this run and earlier ones
     * @param failed     of those, error records
     * @param thisRun    images recorded by this run
     * @param perSecond  this run's images per second so far
     * @param etaSeconds time left at that rate; -1 while unknown
     */
    public record Snapshot(long total, long done, long failed, long thisRun, double elapsedSeconds, double perSecond,
                           double etaSeconds) {
        /** Fraction done, 0 to 1 (1 for an empty input). */
        public double fraction() {
            return total == 0 ? 1 : (double) done / total;
        }
    }

    public Snapshot snapshot() {
        long run = succeeded.get() + failed.get();
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double rate = elapsed > 0 ? run / elapsed : 0;
        long left = total - before - run;
        double eta = rate > 0 ? left / rate : -1;
        return new Snapshot(total, before + run, failedBefore + failed.get(), run, elapsed, rate, eta);
    }
}
