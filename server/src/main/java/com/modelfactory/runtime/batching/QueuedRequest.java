package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
    private final AtomicReference<Runnable> release;
    private final AtomicInteger ranInBatchOf;

    public QueuedRequest(Map<String, Tensor> inputs, int items, String shapeKey, long deadlineNanos,
                         CompletableFuture<Map<String, Tensor>> result) {
        this(inputs, items, shapeKey, deadlineNanos, result, null, null);
    }

    /**
     * @param release hands the inputs' memory back once they are no longer needed: after the batch copied
     *                them, or when the request is dropped unrun (null = nothing to hand back)
     * @param ranInBatchOf told the items of the batch the request ran in, before its result completes (the
     *                     largest, when parts of one request share it; null = nobody asks)
     */
    public QueuedRequest(Map<String, Tensor> inputs, int items, String shapeKey, long deadlineNanos,
                         CompletableFuture<Map<String, Tensor>> result, Runnable release, AtomicInteger ranInBatchOf) {
        this.inputs = inputs;
        this.items = items;
        this.shapeKey = shapeKey;
        this.enqueuedNanos = System.nanoTime();
        this.deadlineNanos = deadlineNanos;
        this.result = result;
        this.release = new AtomicReference<>(release);
        this.ranInBatchOf = ranInBatchOf;
    }

    /** Answers the request with its outputs from a batch of {@code batchItems} items. */
    void complete(Map<String, Tensor> outputs, int batchItems) {
        if (ranInBatchOf != null) {
            ranInBatchOf.accumulateAndGet(batchItems, Math::max);
        }
        result.complete(outputs);
    }

    /** The input tensors are not read again: their memory may be reused (once; later calls do nothing). */
    void release() {
        Runnable r = release.getAndSet(null);
        if (r != null) {
            r.run();
        }
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
