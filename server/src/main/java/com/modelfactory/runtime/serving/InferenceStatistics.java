package com.modelfactory.runtime.serving;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cumulative counts and durations of the served model, in the shape of Triton's statistics extension
 * (both its HTTP route and its gRPC ModelStatistics read a {@link Snapshot}): requests that succeeded
 * or failed with their end-to-end time, time queued, decoding and batch assembly (compute_input), the
 * engine call (compute_infer) and splitting the outputs (compute_output), overall and per batch size.
 */
public final class InferenceStatistics implements ServingObserver {

    /** A count and the sum of the durations it counts. */
    public record Duration(long count, long nanos) {
    }

    /** Per executed batch size: how many batches of that size ran and their phase times. */
    public record BatchStats(int batchSize, Duration computeInput, Duration computeInfer, Duration computeOutput) {
    }

    /**
     * @param inferenceCount items inferred (a request of 4 images counts 4)
     * @param executionCount engine calls (batches)
     * @param lastInferenceMs epoch milliseconds of the last completed request, 0 before the first
     */
    public record Snapshot(long inferenceCount, long executionCount, long lastInferenceMs, Duration success,
                           Duration fail, Duration queue, Duration computeInput, Duration computeInfer,
                           Duration computeOutput, Map<Integer, BatchStats> batchStats) {
    }

    private static final class Counter {
        final AtomicLong count = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();

        void add(long n, long ns) {
            count.addAndGet(n);
            nanos.addAndGet(ns);
        }

        Duration get() {
            return new Duration(count.get(), nanos.get());
        }
    }

    private final Counter success = new Counter();
    private final Counter fail = new Counter();
    private final Counter queue = new Counter();
    private final Counter decode = new Counter();
    private final Counter assemble = new Counter();
    private final Counter infer = new Counter();
    private final Counter output = new Counter();
    private final AtomicLong inferences = new AtomicLong();
    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong last = new AtomicLong();
    private final Map<Integer, Counter[]> byBatchSize = new TreeMap<>();

    /** A request was answered (or failed) this long after it was accepted. */
    void requestDone(boolean ok, long nanos) {
        (ok ? success : fail).add(1, nanos);
        last.set(System.currentTimeMillis());
    }

    @Override
    public void decoded(long nanos) {
        decode.add(1, nanos);
    }

    @Override
    public void queueWait(long nanos) {
        queue.add(1, nanos);
    }

    @Override
    public void batchExecuted(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
        inferences.addAndGet(items);
        executions.incrementAndGet();
        // Per request, as Triton counts them: every request of the batch spent the batch's time.
        assemble.add(0, inputNanos * requests);
        infer.add(requests, inferNanos * requests);
        output.add(requests, outputNanos * requests);
        Counter[] c;
        synchronized (byBatchSize) {
            c = byBatchSize.computeIfAbsent(items, k -> new Counter[] {new Counter(), new Counter(), new Counter()});
        }
        c[0].add(1, inputNanos);
        c[1].add(1, inferNanos);
        c[2].add(1, outputNanos);
    }

    public Snapshot snapshot() {
        Map<Integer, BatchStats> batches = new TreeMap<>();
        synchronized (byBatchSize) {
            byBatchSize.forEach((size, c) -> batches.put(size, new BatchStats(size, c[0].get(), c[1].get(), c[2].get())));
        }
        Duration in = new Duration(decode.count.get(), decode.nanos.get() + assemble.nanos.get());
        return new Snapshot(inferences.get(), executions.get(), last.get(), success.get(), fail.get(), queue.get(), in,
                infer.get(), output.get(), Map.copyOf(batches));
    }
}
