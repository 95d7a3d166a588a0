package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests one at a time go to the worker that went idle last, so at low load one worker serves them all with
 * warm caches; waking the longest idle (a Condition's order) made the workers take turns.
 */
class RequestQueueWakeTest {
    @Test
    void oneRequestAtATimeIsTakenByTheWorkerIdleLast() throws Exception {
        RequestQueue queue = new RequestQueue(new BatchPolicy(1, 0), 3, () -> 0, new BatchObserver() { });
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        List<QueuedRequest> batch = queue.takeBatch();
                        if (batch.isEmpty()) {
                            return;
                        }
                        queue.batchDone(batch.size());
                        batch.get(0).result.complete(Map.of());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "worker-" + i);
            workers.add(t);
            t.start();
        }
        List<String> takenBy = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            awaitIdle(queue, 3); // every worker idle again before the next request
            CompletableFuture<Map<String, com.modelfactory.runtime.engine.Tensor>> result = new CompletableFuture<>();
            String[] who = new String[1];
            // registered before the request is queued, so it runs on the worker that completes it
            CompletableFuture<?> seen = result.whenComplete((v, e) -> who[0] = Thread.currentThread().getName());
            queue.add(new QueuedRequest(Map.of(), 1, "k", System.nanoTime() + TimeUnit.SECONDS.toNanos(30), result));
            seen.get(30, TimeUnit.SECONDS);
            takenBy.add(who[0]);
        }
        queue.close();
        for (Thread t : workers) {
            t.join(10_000);
        }
        assertEquals(1, new HashSet<>(takenBy).size(), takenBy.toString());
    }

    private static void awaitIdle(RequestQueue queue, int workers) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (queue.idleWorkers() < workers) {
            assertTrue(System.nanoTime() < end, "the workers did not go idle");
            Thread.onSpinWait();
        }
    }
}
