package com.modelfactory.runtime.batching;

/** What the batcher reports as it works; the metrics package implements it. */
public interface BatchObserver {
    BatchObserver NONE = new BatchObserver() {
    };

    /** A request left the queue for a batch after waiting this long. */
    default void queueWait(long nanos) {
    }

    /** A batch of this many items ran in the engine for this long. */
    default void batchExecuted(int items, long computeNanos) {
    }

    default void rejected() {
    }

    default void timedOut() {
    }
}
