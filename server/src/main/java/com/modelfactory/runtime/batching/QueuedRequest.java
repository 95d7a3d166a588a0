package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request waiting for a batch: its input tensors (first dimension = its items), the key of the
 * requests it may share a batch with, its deadline, and the future the caller waits on. The caller
 * owns the future: completing or cancelling it (deadline, client gone) makes the queue skip the request.
 */
public final class QueuedRequest {
    final Map<String, Tensor> inputs;
    final int items;
    final String shapeKey;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<Map<String, Tensor>> result;

    public QueuedRequest(Map<String, Tensor> inputs, int items, String shapeKey, long deadlineNanos,
                         CompletableFuture<Map<String, Tensor>> result) {
        this.inputs = inputs;
        this.items = items;
        this.shapeKey = shapeKey;
        this.enqueuedNanos = System.nanoTime();
        this.deadlineNanos = deadlineNanos;
        this.result = result;
    }

    /** Fails the request unless it was answered already. */
    public void fail(RuntimeException e) {
        result.completeExceptionally(e);
    }

    /** Answered already (deadline, cancellation): a worker skips it. */
    boolean abandoned() {
        return result.isDone();
    }

    boolean expired(long now) {
        return now - deadlineNanos > 0;
    }
}
