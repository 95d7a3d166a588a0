package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private static final long TIMEOUT_MS = 30_000;

    private final CountingObserver observer = new CountingObserver();
    private Batcher batcher;

    static final class CountingObserver implements BatchObserver {
        final AtomicInteger rejected = new AtomicInteger();
        final AtomicInteger timedOut = new AtomicInteger();
        final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void batchExecuted(int items, long computeNanos) {
            batchSizes.add(items);
        }

        @Override
        public void rejected() {
            rejected.incrementAndGet();
        }

        @Override
        public void timedOut() {
            timedOut.incrementAndGet();
        }
    }

    private Batcher start(GatedModel model, int maxBatch, long delayMs, int capacity, int instances, long timeoutMs) {
        batcher = new Batcher(model, new Batcher.Settings(maxBatch, TimeUnit.MILLISECONDS.toNanos(delayMs), capacity,
                instances, timeoutMs), observer);
        batcher.start();
        return batcher;
    }

    @AfterEach
    void stop() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private static float[] expected(Map<String, Tensor> in) {
        float[] x = in.get("x").toFloats();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2 * x[i] + 1;
        }
        return y;
    }

    private static Map<String, Tensor> await(CompletableFuture<Map<String, Tensor>> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void concurrentClientsEachGetTheirOwnRows() throws Exception {
        GatedModel model = GatedModel.dynamic(4);
        start(model, 16, 1, 1024, 2, TIMEOUT_MS);
        ExecutorService clients = Executors.newFixedThreadPool(64);
        try {
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int id = i;
                checks.add(CompletableFuture.runAsync(() -> {
                    // Requests of 1 to 3 rows: rows of different requests must not be shifted into each other.
                    Map<String, Tensor> in = GatedModel.input(id, 1 + id % 3, 4);
                    try {
                        Tensor y = await(batcher.run(in)).get("y");
                        assertArrayEquals(new long[] {1 + id % 3, 4}, y.shape());
                        assertArrayEquals(expected(in), y.toFloats(), "client " + id + " got another's rows");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, clients));
            }
            CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
        }
        int items = observer.batchSizes.stream().mapToInt(Integer::intValue).sum();
        int rows = 0;
        for (int i = 0; i < 64; i++) {
            rows += 1 + i % 3;
        }
        assertEquals(rows, items, "every row ran exactly once");
        assertTrue(observer.batchSizes.stream().allMatch(n -> n <= 16), "a batch exceeded max_batch_size");
    }

    @Test
    void requestsQueuedBehindABusyEngineRunAsOneBatch() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 64, 1, TIMEOUT_MS);
        model.hold();
        var first = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> queued = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            queued.add(batcher.run(GatedModel.input(i, 1, 2)));
        }
        assertEquals(10, batcher.queueDepth());
        assertEquals(11, batcher.inFlight());
        model.open();
        await(first);
        for (var f : queued) {
            await(f);
        }
        // 0 alone, then 8 of the 10 queued at once (max 8, delay 0 takes what is queued), then the last 2.
        assertEquals(List.of(1, 8, 2), observer.batchSizes);
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f), model.rowsSeen(), "queue order kept");
        Await.until("in-flight gauge back to 0", () -> batcher.inFlight() == 0);
    }

    @Test
    void aWorkerTakesItsShareWhenOthersAreIdleAndEverythingWhenAlone() {
        assertEquals(4, Batcher.share(8, 2, 32), "two idle workers split eight queued items");
        assertEquals(5, Batcher.share(9, 2, 32), "rounded up: nothing is left for a third round");
        assertEquals(1, Batcher.share(1, 2, 32));
        assertEquals(32, Batcher.share(100, 2, 32), "never above the batch cap");
        assertEquals(32, Batcher.share(3, 1, 32), "the only idle worker may fill a whole batch");
        assertEquals(3, Batcher.share(9, 3, 8));
    }

    @Test
    void differentShapesNeverShareABatch() throws Exception {
        GatedModel model = GatedModel.dynamic(-1);
        start(model, 32, 0, 64, 1, TIMEOUT_MS);
        model.hold();
        var first = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            Map<String, Tensor> in = GatedModel.input(i, 1, i % 3 == 0 ? 3 : 2);
            inputs.add(in);
            futures.add(batcher.run(in));
        }
        model.open();
        await(first);
        for (int i = 0; i < futures.size(); i++) {
            assertArrayEquals(expected(inputs.get(i)), await(futures.get(i)).get("y").toFloats());
        }
        for (float[][] batch : model.batches()) {
            for (float[] row : batch) {
                assertEquals(batch[0].length, row.length, "rows of different widths in one batch");
            }
        }
        // width 2: 0 alone, then 1,2,4,5,7,8 together; width 3: 3,6,9 together, not requeued behind anything.
        assertEquals(List.of(1, 6, 3), observer.batchSizes);
    }

    @Test
    void fixedBatchDimensionCapsTheBatchAndPadsIt() throws Exception {
        GatedModel model = new GatedModel(2, true, 4);
        start(model, 32, 0, 64, 1, TIMEOUT_MS);
        assertEquals(4, batcher.maxBatchItems());
        model.hold();
        var first = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            inputs.add(GatedModel.input(i, 1, 2));
            futures.add(batcher.run(inputs.get(i - 1)));
        }
        model.open();
        assertArrayEquals(new long[] {1, 2}, await(first).get("y").shape(), "padding rows are not returned");
        for (int i = 0; i < futures.size(); i++) {
            Tensor y = await(futures.get(i)).get("y");
            assertArrayEquals(new long[] {1, 2}, y.shape());
            assertArrayEquals(expected(inputs.get(i)), y.toFloats());
        }
        assertEquals(List.of(1, 4, 2), observer.batchSizes);
        assertTrue(model.batches().stream().allMatch(b -> b.length == 4), "the engine always sees 4 rows");
        assertThrows(InvalidInputException.class, () -> batcher.run(GatedModel.input(9, 5, 2)),
                "more rows than the fixed batch dimension");
    }

    @Test
    void modelWithoutBatchDimensionRunsOneByOne() throws Exception {
        GatedModel model = new GatedModel(3, false, 0);
        start(model, 32, 5, 64, 1, TIMEOUT_MS);
        assertEquals(1, batcher.maxBatchItems());
        model.hold();
        var first = batcher.run(GatedModel.input(0, 1, 3));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(batcher.run(GatedModel.input(i, 1, 3)));
        }
        model.open();
        await(first);
        for (var f : futures) {
            await(f);
        }
        assertEquals(List.of(1, 1, 1, 1, 1, 1), observer.batchSizes);
    }

    @Test
    void fullQueueRefusesAtOnceThenServesNormally() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 1, 0, 2, 1, TIMEOUT_MS);
        model.hold();
        var running = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        var q1 = batcher.run(GatedModel.input(1, 1, 2));
        var q2 = batcher.run(GatedModel.input(2, 1, 2));
        for (int i = 0; i < 5; i++) {
            int v = 3 + i;
            assertThrows(QueueFullException.class, () -> batcher.run(GatedModel.input(v, 1, 2)));
        }
        assertEquals(5, observer.rejected.get());
        assertEquals(2, batcher.queueDepth(), "the queue never grows past its capacity");
        model.open();
        await(running);
        await(q1);
        await(q2);
        Map<String, Tensor> in = GatedModel.input(42, 1, 2);
        assertArrayEquals(expected(in), await(batcher.run(in)).get("y").toFloats());
        assertFalse(model.rowsSeen().contains(3f), "a refused request never ran");
    }

    @Test
    void requestPastItsDeadlineFailsAndNeverReachesTheEngine() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, 300);
        model.hold();
        var running = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        var late = batcher.run(GatedModel.input(1, 1, 2));
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(30, TimeUnit.SECONDS));
        assertInstanceOf(DeadlineExceededException.class, e.getCause());
        ExecutionException e0 = assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
        assertInstanceOf(DeadlineExceededException.class, e0.getCause(), "a batch stuck in the engine answers 504 too");
        model.open();
        // The worker is free again; a fresh request runs, and the expired one did not run before it.
        batcher = restartWith(model, 10_000);
        Map<String, Tensor> in = GatedModel.input(2, 1, 2);
        await(batcher.run(in));
        assertEquals(List.of(0f, 2f), model.rowsSeen());
        assertEquals(2, observer.timedOut.get());
    }

    private Batcher restartWith(GatedModel model, long timeoutMs) throws InterruptedException {
        // Same model, longer deadline: drain what the old batcher holds, then start a fresh one.
        assertTrue(batcher.drain(30_000));
        batcher.close();
        return start(model, 8, 0, 16, 1, timeoutMs);
    }

    @Test
    void cancelledRequestIsDroppedFromTheQueue() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        var running = batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        InferenceRequest gone = batcher.submit(GatedModel.input(1, 1, 2));
        var stays = batcher.run(GatedModel.input(2, 1, 2));
        gone.cancel();
        assertThrows(CancellationException.class, () -> gone.result().get(1, TimeUnit.SECONDS));
        assertEquals(2, batcher.inFlight(), "a cancelled request no longer counts as in flight");
        model.open();
        await(running);
        await(stays);
        assertEquals(List.of(0f, 2f), model.rowsSeen());
    }

    @Test
    void fullBatchDoesNotWaitForTheDelayAndALoneRequestDoesNotWaitAtAll() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        // A delay far longer than the test's own timeouts: finishing at all proves nobody waited for it.
        start(model, 4, 600_000, 16, 1, 900_000);
        await(batcher.run(GatedModel.input(0, 1, 2)));
        model.awaitEntered(); // its permit, so the next await is for the next batch
        Await.until("the first request no longer counts", () -> batcher.inFlight() == 0);
        model.hold();
        var running = batcher.run(GatedModel.input(1, 1, 2));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> four = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            four.add(batcher.run(GatedModel.input(i, 1, 2)));
        }
        model.open();
        await(running);
        for (var f : four) {
            await(f);
        }
        assertEquals(List.of(1, 1, 4), observer.batchSizes);
    }

    @Test
    void drainServesWhatWasAcceptedAndRefusesNewRequests() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 2, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        List<CompletableFuture<Map<String, Tensor>>> accepted = new ArrayList<>();
        accepted.add(batcher.run(GatedModel.input(0, 1, 2)));
        model.awaitEntered();
        for (int i = 1; i <= 4; i++) {
            accepted.add(batcher.run(GatedModel.input(i, 1, 2)));
        }
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.drain(30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("drain stops accepting", () -> !batcher.accepting());
        assertThrows(ShuttingDownException.class, () -> batcher.run(GatedModel.input(9, 1, 2)));
        assertFalse(drained.isDone(), "drain returned while requests were still queued");
        model.open();
        assertTrue(drained.get(30, TimeUnit.SECONDS));
        for (var f : accepted) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "an accepted request was not served");
        }
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f), model.rowsSeen());
    }

    @Test
    void drainTimesOutWhileABatchIsStuck() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 2, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        batcher.run(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        assertFalse(batcher.drain(50));
        model.open();
    }
}
