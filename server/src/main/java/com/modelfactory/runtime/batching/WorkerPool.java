package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run batches: each has its own predictor (predictors need not be thread-safe), takes
 * a batch from the {@link RequestQueue}, runs it as one engine call and completes every request with
 * its own rows.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    /** How long close() waits for a batch already in the engine (native code cannot be interrupted). */
    private static final long CLOSE_JOIN_MS = 10_000;

    private final LoadedModel model;
    private final RequestQueue queue;
    private final BatchObserver observer;
    private final int padTo;
    private final List<Thread> threads = new ArrayList<>();

    public WorkerPool(LoadedModel model, RequestQueue queue, BatchObserver observer) {
        this.model = model;
        this.queue = queue;
        this.observer = observer;
        this.padTo = BatchPolicy.padTo(model.signature());
    }

    public synchronized void start(int workers) {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "batch-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work() {
        BatchBuffers buffers = new BatchBuffers();
        try (Predictor predictor = model.newPredictor()) {
            while (true) {
                List<QueuedRequest> batch = queue.takeBatch();
                if (batch.isEmpty()) {
                    return;
                }
                try {
                    execute(predictor, batch, buffers);
                } finally {
                    queue.batchDone();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("batch worker stopped: {}", e.toString(), e);
        }
    }

    private void execute(Predictor predictor, List<QueuedRequest> batch, BatchBuffers buffers) {
        // A request may have been cancelled or expired while the batch was forming: no engine time for it.
        batch.removeIf(r -> {
            if (r.abandoned()) {
                r.release();
                return true;
            }
            return false;
        });
        if (batch.isEmpty()) {
            return;
        }
        try {
            int items = batch.stream().mapToInt(r -> r.items).sum();
            long start = System.nanoTime();
            Map<String, Tensor> inputs = BatchAssembler.concat(batch, padTo, buffers);
            batch.forEach(QueuedRequest::release); // copied into the worker's buffers (a lone BYTES input is not pooled)
            long assembled = System.nanoTime();
            Map<String, Tensor> outputs = predictor.predict(inputs);
            long inferred = System.nanoTime();
            // Without a batch dimension the outputs belong whole to the one request that ran.
            List<Map<String, Tensor>> parts = model.signature().batched() ? BatchAssembler.split(outputs, batch)
                    : List.of(outputs);
            long split = System.nanoTime();
            observer.batchExecuted(batch.size(), items, assembled - start, inferred - assembled, split - inferred);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(parts.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(r -> r.result.completeExceptionally(e));
        }
    }

    /** Stops the workers (the queue must be closed first); waits briefly for a batch still in the engine. */
    @Override
    public void close() {
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MS);
        started.forEach(Thread::interrupt);
        for (Thread t : started) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                log.warn("{} is still running a batch after {} ms", t.getName(), CLOSE_JOIN_MS);
            }
        }
    }
}
