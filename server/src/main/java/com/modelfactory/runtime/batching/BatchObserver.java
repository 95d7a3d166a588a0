package com.modelfactory.runtime.batching;

/** What the batching layer reports as it works; the metrics and statistics implement it. */
public interface BatchObserver {

    /** A request left the queue for a batch after waiting this long. */
    default void queueWait(long nanos) {
    }

    /**
     * A batch ran: {@code requests} requests holding {@code items} items; assembling its inputs, the
     * engine call, and splitting and handing back the outputs took these times.
     */
    default void batchExecuted(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
    }
}
