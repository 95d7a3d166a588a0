package com.modelfactory.runtime.batching;

/** What the batching layer reports as it works; the metrics package implements it. */
public interface BatchObserver {

    /** A request left the queue for a batch after waiting this long. */
    default void queueWait(long nanos) {
    }

    /** A batch of this many items ran in the engine for this long. */
    default void batchExecuted(int items, long computeNanos) {
    }
}
