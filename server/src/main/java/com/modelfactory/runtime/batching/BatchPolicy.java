package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.Signature;

/**
 * When a worker stops gathering requests into a batch: the decisions of dynamic batching, as pure
 * functions of the queue's state, so they are tested without threads or clocks.
 *
 * @param maxItems      most items per batch, after the model's limits ({@link #maxItems(Signature, int)})
 * @param maxDelayNanos how long a partial batch may wait for more requests (0 = take what is queued)
 */
public record BatchPolicy(int maxItems, long maxDelayNanos) {

    public BatchPolicy {
        if (maxItems < 1 || maxDelayNanos < 0) {
            throw new IllegalArgumentException("invalid batch policy: " + maxItems + " items, " + maxDelayNanos + " ns");
        }
    }

    /** Items one batch may hold: 1 without a batch dimension, never above a fixed batch dimension. */
    public static int maxItems(Signature s, int configured) {
        if (!s.batched()) {
            return 1;
        }
        return s.maxBatch() > 0 ? (int) Math.min(configured, s.maxBatch()) : configured;
    }

    /** Rows every batch is padded to: the fixed batch dimension, or 0 when the dimension is dynamic. */
    public static int padTo(Signature s) {
        return s.batched() && s.maxBatch() > 0 ? (int) s.maxBatch() : 0;
    }

    /**
     * Items a worker may take when {@code idleWorkers} (itself included) are free to share
     * {@code queuedItems}: an equal share, so that no worker sits idle while another runs everything. On
     * CPU a compute-bound model needs every worker busy (MobileNetV2, 2 workers: one worker taking all 32
     * queued images left the other core idle for a whole batch); an overhead-bound model still gets
     * batches of half the queue.
     */
    public int cap(int queuedItems, int idleWorkers) {
        if (idleWorkers <= 1) {
            return maxItems;
        }
        return Math.max(1, Math.min(maxItems, (queuedItems + idleWorkers - 1) / idleWorkers));
    }

    /**
     * Whether a worker holding {@code items} of {@code cap} should wait for more. Waiting pays only for
     * requests already on their way to the queue (accepted, still being read or decoded): a lone client's
     * request runs at once, and so does a batch whose company is all in other batches already. Counting
     * every request in flight instead made 8 closed-loop clients of a 32x32 CNN wait out the whole delay at
     * every batch for requests that only come back once these are answered: 4,984 req/s against 13,532
     * with no batching at all (benchmarks/results/2026-12-01-vm-jpeg.md).
     *
     * @param onTheWay  requests accepted and not yet queued or in any batch
     * @param nanosLeft time left of the batch's delay
     */
    public boolean waitForMore(int items, int cap, int onTheWay, long nanosLeft) {
        return items < cap && onTheWay > 0 && nanosLeft > 0;
    }
}
