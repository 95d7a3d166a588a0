package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run batches: each has its own predictor (predictors need not be thread-safe), takes
 * a batch from the {@link RequestQueue}, runs it as one engine call and completes every request with
 * its own rows.
 *
 * <p>With a second copy of the model loaded to use every core ({@code lone}), a batch that runs while no
 * other worker is busy and nothing waits in the queue runs on that copy: a lone request gets every core,
 * while under load each worker runs its own batch on one core (benchmarks/results/2026-12-07-layout.md).
 */
public final class WorkerPool {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    /** How long close() waits for a batch already in the engine (native code cannot be interrupted). */
    private static final long CLOSE_JOIN_MS = 10_000;

    private final LoadedModel model;
    private final EveryCoreCopy lone;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong loneBatches = new AtomicLong();
    private final RequestQueue queue;
    private final BatchObserver observer;
    private final int padTo;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger alive = new AtomicInteger();

    public WorkerPool(LoadedModel model, RequestQueue queue, BatchObserver observer) {
        this(model, null, queue, observer);
    }

    /** @param lone the model's copy that uses every core, for batches that run alone (null = none) */
    public WorkerPool(LoadedModel model, EveryCoreCopy lone, RequestQueue queue, BatchObserver observer) {
        this.model = model;
        this.lone = lone;
        this.queue = queue;
        this.observer = observer;
        this.padTo = BatchPolicy.padTo(model.signature());
    }

    public synchronized void start(int workers) {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "batch-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            alive.incrementAndGet();
            t.start();
        }
    }

    private void work() {
        BatchBuffers buffers = new BatchBuffers();
        try (Predictor predictor = lone == null ? model.newPredictor() : new OneOrEveryCore()) {
            while (true) {
                List<QueuedRequest> batch = queue.takeBatch();
                if (batch.isEmpty()) {
                    return;
                }
                try {
                    execute(predictor, batch, buffers);
                } finally {
                    queue.batchDone(batch.size());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("batch worker {} stopped: {}", Thread.currentThread().getName(), e.toString(), e);
            throw e;
        } finally {
            if (alive.decrementAndGet() == 0 && !queue.closed()) {
                log.error("no batch worker is left: the server answers 503 and reports not ready");
            }
        }
    }

    /**
     * A worker's predictors on both copies of the model: an engine call made while no other worker is in the
     * engine and nothing waits in the queue runs on the every-core copy. Counted around the engine call only,
     * not the answer's rendering: a lone client's next request arrives while its answer is still being sent.
     */
    private final class OneOrEveryCore implements Predictor {
        private final Predictor oneCore;
        /** This worker's predictor on the every-core copy, made once the copy has arrived. */
        private Predictor everyCore;

        OneOrEveryCore() {
            oneCore = model.newPredictor();
        }

        /** This worker could not make a predictor on the copy: it stays on one core. */
        private boolean noEveryCore;

        @Override
        public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
            int others = busy.getAndIncrement();
            try {
                boolean byItself = others == 0 && queue.depth() == 0 && everyCore() != null;
                if (byItself) {
                    loneBatches.incrementAndGet();
                }
                return (byItself ? everyCore : oneCore).predict(inputs);
            } finally {
                busy.decrementAndGet();
            }
        }

        private Predictor everyCore() {
            if (everyCore == null && !noEveryCore) {
                LoadedModel copy = lone.model();
                if (copy != null) {
                    try {
                        everyCore = copy.newPredictor();
                    } catch (RuntimeException e) {
                        noEveryCore = true;
                        log.warn("{}: no predictor on the every-core copy ({}); this worker runs on one core",
                                Thread.currentThread().getName(), e.toString());
                    }
                }
            }
            return everyCore;
        }

        @Override
        public void close() {
            try {
                oneCore.close();
            } finally {
                if (everyCore != null) {
                    everyCore.close();
                }
            }
        }
    }

    /** Batches run on the every-core copy of the model so far. */
    public long loneBatches() {
        return loneBatches.get();
    }

    /** Every started worker has ended (died of an error, or closed): no request can be served. */
    public synchronized boolean allEnded() {
        return !threads.isEmpty() && alive.get() == 0;
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
            run(predictor, batch, buffers);
        } catch (RuntimeException | Error e) {
            if (batch.size() == 1 || e instanceof VirtualMachineError) {
                ServingException failure = Failures.classify(e);
                batch.forEach(r -> r.result.completeExceptionally(failure));
                rethrowFatal(e);
                return;
            }
            // One request's values can fail a whole batch: each runs alone, so only that request fails.
            log.debug("a batch of {} requests failed ({}); running them one by one", batch.size(), e.toString());
            for (QueuedRequest r : batch) {
                runAlone(predictor, r, buffers);
            }
        } finally {
            batch.forEach(QueuedRequest::release); // inputs are read no more: pooled memory goes back
        }
    }

    private void runAlone(Predictor predictor, QueuedRequest r, BatchBuffers buffers) {
        if (r.abandoned()) {
            return;
        }
        try {
            run(predictor, List.of(r), buffers);
        } catch (RuntimeException | Error e) {
            r.result.completeExceptionally(Failures.classify(e));
            rethrowFatal(e);
        }
    }

    /** A JVM in trouble (out of memory, stack overflow) ends the worker; any other error fails its requests only. */
    private static void rethrowFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private void run(Predictor predictor, List<QueuedRequest> batch, BatchBuffers buffers) {
        int items = batch.stream().mapToInt(r -> r.items).sum();
        long start = System.nanoTime();
        Map<String, Tensor> inputs = BatchAssembler.concat(batch, padTo, buffers);
        long assembled = System.nanoTime();
        Map<String, Tensor> outputs = predictor.predict(inputs);
        long inferred = System.nanoTime();
        // Without a batch dimension the outputs belong whole to the one request that ran.
        List<Map<String, Tensor>> parts = model.signature().batched() ? BatchAssembler.split(outputs, batch)
                : List.of(outputs);
        long split = System.nanoTime();
        observer.batchExecuted(batch.size(), items, assembled - start, inferred - assembled, split - inferred);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(parts.get(i), items);
        }
    }

    /**
     * Stops the workers (the queue must be closed first); waits briefly for a batch still in the engine.
     * @return true when every worker has ended (the model may be closed), false when one is still in the engine
     */
    public boolean close() {
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MS);
        started.forEach(Thread::interrupt);
        boolean stopped = true;
        for (Thread t : started) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (t.isAlive()) {
                log.warn("{} is still running a batch after {} ms", t.getName(), CLOSE_JOIN_MS);
                stopped = false;
            }
        }
        return stopped;
    }
}
