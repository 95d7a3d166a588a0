package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One client request in the queue: its input tensors (first dimension = its items), when it must be
 * done by, and the future its HTTP handler waits on.
 */
public final class InferenceRequest {
    final Map<String, Tensor> inputs;
    final int items;
    final String shapeKey;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();

    InferenceRequest(Map<String, Tensor> inputs, int items, String shapeKey, long enqueuedNanos, long deadlineNanos) {
        this.inputs = inputs;
        this.items = items;
        this.shapeKey = shapeKey;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    public CompletableFuture<Map<String, Tensor>> result() {
        return result;
    }

    /** The client went away or the deadline fired: the worker skips it. */
    public void cancel() {
        result.cancel(false);
    }

    boolean abandoned() {
        return result.isDone();
    }
}
