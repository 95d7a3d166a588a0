package com.modelfactory.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.GatedModel;
import com.modelfactory.runtime.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The serving core with a fake model whose engine the test holds closed: admission, batching, deadlines, drain. */
class InferenceServiceTest {
    private static final long TIMEOUT_MS = 30_000;

    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final ServingObserver observer = new ServingObserver() {
        @Override
        public void batchExecuted(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
            batchSizes.add(items);
        }
    };
    private InferenceService service;

    private InferenceService start(GatedModel model, int maxBatch, long delayMs, int capacity, int workers,
                                   long timeoutMs) {
        service = TestModels.service("fake", model, maxBatch, delayMs, capacity, workers, timeoutMs, observer);
        return service;
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
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

    private static Kind failureKind(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ServingException.class, e.getCause()).kind();
    }

    private static Kind refusal(Executable call) {
        return assertThrows(ServingException.class, call).kind();
    }

    /** Waits until the accepted requests have been decoded into the queue. */
    private void awaitQueued(int n) {
        Await.until(n + " requests queued", () -> service.queueDepth() == n);
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
                        Tensor y = await(service.infer(in)).get("y");
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
        int items = batchSizes.stream().mapToInt(Integer::intValue).sum();
        int rows = 0;
        for (int i = 0; i < 64; i++) {
            rows += 1 + i % 3;
        }
        assertEquals(rows, items, "every row ran exactly once");
        assertTrue(batchSizes.stream().allMatch(n -> n <= 16), "a batch exceeded max_batch_size");
    }

    @Test
    void requestsQueuedBehindABusyEngineRunAsOneBatch() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 64, 1, TIMEOUT_MS);
        model.hold();
        var first = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> queued = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            queued.add(service.infer(GatedModel.input(i, 1, 2)));
        }
        awaitQueued(10);
        assertEquals(11, service.inFlight());
        model.open();
        await(first);
        for (var f : queued) {
            await(f);
        }
        // 0 alone, then 8 of the 10 queued at once (max 8, delay 0 takes what is queued), then the last 2.
        assertEquals(List.of(1, 8, 2), batchSizes);
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f), model.rowsSeen(), "queue order kept");
        Await.until("in-flight gauge back to 0", () -> service.inFlight() == 0);
        InferenceStatistics.Snapshot stats = service.statistics().snapshot();
        assertEquals(11, stats.success().count());
        assertEquals(11, stats.inferenceCount());
        assertEquals(3, stats.executionCount());
        assertEquals(java.util.Set.of(1, 2, 8), stats.batchStats().keySet());
        assertEquals(1, stats.batchStats().get(8).computeInfer().count(), "one batch of 8");
        assertEquals(11, stats.computeInfer().count(), "compute_infer counts requests, as Triton does");
        assertEquals(11, stats.queue().count());
    }

    @Test
    void differentShapesNeverShareABatch() throws Exception {
        GatedModel model = GatedModel.dynamic(-1);
        start(model, 32, 0, 64, 1, TIMEOUT_MS);
        model.hold();
        var first = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            Map<String, Tensor> in = GatedModel.input(i, 1, i % 3 == 0 ? 3 : 2);
            inputs.add(in);
            futures.add(service.infer(in));
        }
        awaitQueued(9);
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
        assertEquals(List.of(1, 6, 3), batchSizes);
    }

    @Test
    void fixedBatchDimensionCapsTheBatchAndPadsIt() throws Exception {
        GatedModel model = new GatedModel(2, true, 4);
        start(model, 32, 0, 64, 1, TIMEOUT_MS);
        assertEquals(4, service.maxBatchItems());
        model.hold();
        var first = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            inputs.add(GatedModel.input(i, 1, 2));
            futures.add(service.infer(inputs.get(i - 1)));
        }
        awaitQueued(6);
        model.open();
        assertArrayEquals(new long[] {1, 2}, await(first).get("y").shape(), "padding rows are not returned");
        for (int i = 0; i < futures.size(); i++) {
            Tensor y = await(futures.get(i)).get("y");
            assertArrayEquals(new long[] {1, 2}, y.shape());
            assertArrayEquals(expected(inputs.get(i)), y.toFloats());
        }
        assertEquals(List.of(1, 4, 2), batchSizes);
        assertTrue(model.batches().stream().allMatch(b -> b.length == 4), "the engine always sees 4 rows");
        assertEquals(Kind.BAD_INPUT, failureKind(service.infer(GatedModel.input(9, 5, 2))),
                "more rows than the fixed batch dimension");
    }

    @Test
    void modelWithoutBatchDimensionRunsOneByOne() throws Exception {
        GatedModel model = new GatedModel(3, false, 0);
        start(model, 32, 5, 64, 1, TIMEOUT_MS);
        assertEquals(1, service.maxBatchItems());
        model.hold();
        var first = service.infer(GatedModel.input(0, 1, 3));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(service.infer(GatedModel.input(i, 1, 3)));
        }
        model.open();
        await(first);
        for (var f : futures) {
            await(f);
        }
        assertEquals(List.of(1, 1, 1, 1, 1, 1), batchSizes);
    }

    @Test
    void fullServiceRefusesAtOnceThenServesNormally() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        // Capacity counts every accepted request: the one in the engine and the two queued.
        start(model, 1, 0, 3, 1, TIMEOUT_MS);
        model.hold();
        var running = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        var q1 = service.infer(GatedModel.input(1, 1, 2));
        var q2 = service.infer(GatedModel.input(2, 1, 2));
        for (int i = 0; i < 5; i++) {
            int v = 3 + i;
            assertEquals(Kind.BUSY, refusal(() -> service.infer(GatedModel.input(v, 1, 2))));
        }
        assertEquals(3, service.inFlight(), "refused requests are not counted as accepted");
        model.open();
        await(running);
        await(q1);
        await(q2);
        Map<String, Tensor> in = GatedModel.input(42, 1, 2);
        assertArrayEquals(expected(in), await(service.infer(in)).get("y").toFloats());
        assertFalse(model.rowsSeen().contains(3f), "a refused request never ran");
    }

    @Test
    void requestPastItsDeadlineFailsAndNeverReachesTheEngine() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, 300);
        model.hold();
        var running = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        var late = service.infer(GatedModel.input(1, 1, 2));
        assertEquals(Kind.TIMED_OUT, failureKind(late));
        assertEquals(Kind.TIMED_OUT, failureKind(running), "a batch stuck in the engine answers 504 too");
        model.open();
        // The worker is free again; a fresh request runs, and the expired one did not run before it.
        restartWith(model, 10_000);
        Map<String, Tensor> in = GatedModel.input(2, 1, 2);
        await(service.infer(in));
        assertEquals(List.of(0f, 2f), model.rowsSeen());
    }

    private void restartWith(GatedModel model, long timeoutMs) throws InterruptedException {
        // Same model, longer deadline: drain what the old service holds, then start a fresh one.
        assertTrue(service.drain(Duration.ofSeconds(30)));
        service.close();
        start(model, 8, 0, 16, 1, timeoutMs);
    }

    @Test
    void cancelledRequestIsDroppedFromTheQueue() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        var running = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        var gone = service.infer(GatedModel.input(1, 1, 2));
        var stays = service.infer(GatedModel.input(2, 1, 2));
        awaitQueued(2);
        gone.cancel(false);
        assertThrows(CancellationException.class, () -> gone.get(1, TimeUnit.SECONDS));
        assertEquals(2, service.inFlight(), "a cancelled request no longer counts as in flight");
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
        await(service.infer(GatedModel.input(0, 1, 2)));
        model.awaitEntered(); // its permit, so the next await is for the next batch
        Await.until("the first request no longer counts", () -> service.inFlight() == 0);
        model.hold();
        var running = service.infer(GatedModel.input(1, 1, 2));
        model.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> four = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            four.add(service.infer(GatedModel.input(i, 1, 2)));
        }
        awaitQueued(4);
        model.open();
        await(running);
        for (var f : four) {
            await(f);
        }
        assertEquals(List.of(1, 1, 4), batchSizes);
    }

    @Test
    void drainServesWhatWasAcceptedAndRefusesNewRequests() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 2, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        List<CompletableFuture<Map<String, Tensor>>> accepted = new ArrayList<>();
        accepted.add(service.infer(GatedModel.input(0, 1, 2)));
        model.awaitEntered();
        for (int i = 1; i <= 4; i++) {
            accepted.add(service.infer(GatedModel.input(i, 1, 2)));
        }
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return service.drain(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("drain stops accepting", () -> !service.accepting());
        assertEquals(Kind.UNAVAILABLE, refusal(() -> service.infer(GatedModel.input(9, 1, 2))));
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
        service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        assertFalse(service.drain(Duration.ofMillis(50)));
        model.open();
    }

    @Test
    void aRequestOverTheBatchCapRunsInBatchesOfTheCapAndIsAnsweredInOrder() throws Exception {
        GatedModel model = GatedModel.dynamic(3);
        start(model, 8, 0, 16, 2, TIMEOUT_MS);
        Map<String, Tensor> in = GatedModel.input(7, 37, 3);
        Tensor y = await(service.infer(in)).get("y");
        assertArrayEquals(new long[] {37, 3}, y.shape());
        assertArrayEquals(expected(in), y.toFloats(), "rows out of order or lost");
        assertTrue(batchSizes.stream().allMatch(n -> n <= 8), "a batch over the cap: " + batchSizes);
        assertEquals(37, batchSizes.stream().mapToInt(Integer::intValue).sum(), "every row ran exactly once");
    }

    @Test
    void aFailingPartFailsItsRequestAndTheServiceGoesOn() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 4, 0, 16, 1, TIMEOUT_MS);
        float[] rows = GatedModel.input(1, 10, 2).get("x").toFloats();
        rows[2 * 6] = Float.NaN; // row 6: the second part's; the fake engine refuses it
        var poisoned = service.infer(Map.of("x", Tensor.ofFloats(new long[] {10, 2}, rows)));
        assertThrows(ExecutionException.class, () -> poisoned.get(30, TimeUnit.SECONDS));
        Map<String, Tensor> in = GatedModel.input(5, 9, 2);
        assertArrayEquals(expected(in), await(service.infer(in)).get("y").toFloats());
        Await.until("nothing left in flight", () -> service.inFlight() == 0);
    }

    @Test
    void aBadRequestFailsAloneAndTheNextOneIsServed() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        var wrongName = service.infer(Map.of("nope", Tensor.ofFloats(new long[] {1, 2}, 1, 2)));
        assertEquals(Kind.BAD_INPUT, failureKind(wrongName));
        var throwing = service.infer(m -> {
            throw ServingException.badInput("unreadable body");
        });
        assertEquals(Kind.BAD_INPUT, failureKind(throwing));
        var bug = service.infer(m -> {
            throw new IllegalStateException("a decoder bug");
        });
        assertEquals(Kind.INTERNAL, failureKind(bug), "an unexpected exception is an internal fault, not the client's");
        Map<String, Tensor> in = GatedModel.input(5, 1, 2);
        assertArrayEquals(expected(in), await(service.infer(in)).get("y").toFloats());
        Await.until("nothing left in flight", () -> service.inFlight() == 0);
    }

    @Test
    void aRequestThatFailsItsBatchFailsAloneAndTheOthersAreServed() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        model.hold();
        var first = service.infer(GatedModel.input(0, 1, 2));
        model.awaitEntered();
        Map<String, Tensor> good1 = GatedModel.input(1, 1, 2);
        Map<String, Tensor> good2 = GatedModel.input(2, 1, 2);
        var f1 = service.infer(good1);
        var bad = service.infer(GatedModel.input(Float.NaN, 1, 2));
        var f2 = service.infer(good2);
        awaitQueued(3);
        model.open();
        await(first);
        assertArrayEquals(expected(good1), await(f1).get("y").toFloats());
        assertArrayEquals(expected(good2), await(f2).get("y").toFloats());
        assertEquals(Kind.INTERNAL, failureKind(bad));
        // The batch of three failed in the engine; each then ran alone and only the NaN one failed.
        assertEquals(List.of(1, 1, 1), batchSizes);
    }

    @Test
    void anErrorFailsItsRequestAndTheWorkerGoesOn() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        assertEquals(Kind.INTERNAL, failureKind(service.infer(GatedModel.input(Float.NEGATIVE_INFINITY, 1, 2))));
        Map<String, Tensor> in = GatedModel.input(3, 1, 2);
        assertArrayEquals(expected(in), await(service.infer(in)).get("y").toFloats());
        assertTrue(service.serving());
    }

    @Test
    void whenTheLastWorkerDiesTheServiceRefusesInsteadOfTimingOut() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        assertEquals(Kind.INTERNAL, failureKind(service.infer(GatedModel.input(Float.POSITIVE_INFINITY, 1, 2))));
        Await.until("the worker has ended", () -> !service.serving());
        assertEquals(Kind.UNAVAILABLE, refusal(() -> service.infer(GatedModel.input(1, 1, 2))));
    }

    @Test
    void closeAnswersRequestsStillWaitingForADecoder() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        start(model, 8, 0, 16, 1, TIMEOUT_MS);
        java.util.concurrent.CountDownLatch decoding = new java.util.concurrent.CountDownLatch(1);
        var stuck = service.infer(m -> {
            decoding.countDown();
            try {
                new java.util.concurrent.CountDownLatch(1).await(); // until close() interrupts the decoder
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return GatedModel.input(0, 1, 2);
        });
        var waiting = service.infer(GatedModel.input(1, 1, 2));
        assertTrue(decoding.await(30, TimeUnit.SECONDS));
        service.close();
        assertEquals(Kind.UNAVAILABLE, failureKind(waiting), "a request the one decoder never reached");
        assertEquals(Kind.INTERNAL, failureKind(stuck));
    }

    @Test
    void inputsOfOneRequestMustCarryTheSameItems() {
        Map<String, Tensor> ragged = new java.util.LinkedHashMap<>();
        ragged.put("a", Tensor.ofFloats(new long[] {2, 1}, 1, 2));
        ragged.put("b", Tensor.ofFloats(new long[] {3, 1}, 1, 2, 3));
        ServingException e = assertThrows(ServingException.class, () -> InferenceService.items(ragged));
        assertEquals(Kind.BAD_INPUT, e.kind());
        ragged.put("b", Tensor.ofFloats(new long[] {2, 1}, 1, 2));
        assertEquals(2, InferenceService.items(ragged));
    }
}
