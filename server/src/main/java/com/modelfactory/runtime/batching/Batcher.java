package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching: requests enter a bounded queue; {@code instances} worker threads each take the oldest
 * live request, then every queued request with the same per-item shape up to {@code maxBatchSize} items,
 * waiting at most {@code maxBatchDelay} for more (0 = take what is queued; no wait either when the
 * first request was the only one in flight), run them as one batch on their own predictor and complete each request with its rows.
 *
 * <p>The queue is one deque under one lock rather than a BlockingQueue: a worker must be able to take
 * matching requests from the middle and leave the others in their place, so no request of another shape
 * is ever requeued (and so the bound on memory is exact).
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    /** How long close() waits for a batch already in the engine (native code cannot be interrupted). */
    private static final long CLOSE_JOIN_MS = 10_000;

    /**
     * Settings for one batcher.
     *
     * @param maxBatchSize       most items per batch; capped again here by a fixed batch dimension, 1 for
     *                           models without a batch dimension
     * @param maxBatchDelayNanos how long a worker holding a partial batch waits for more (0 = none)
     * @param queueCapacity      queued requests before {@link QueueFullException}
     * @param instances          worker threads, each with its own predictor
     * @param requestTimeoutMs   deadline from submission; a queued request past it never reaches the engine
     */
    public record Settings(int maxBatchSize, long maxBatchDelayNanos, int queueCapacity, int instances,
                           long requestTimeoutMs) {
        public Settings {
            if (maxBatchSize < 1 || maxBatchDelayNanos < 0 || queueCapacity < 1 || instances < 1
                    || requestTimeoutMs < 1) {
                throw new IllegalArgumentException("invalid batcher settings " + this);
            }
        }
    }

    private final LoadedModel model;
    private final Signature signature;
    private final Signature requestSignature;
    private final Settings settings;
    private final int maxItems;
    private final int padTo;
    private final BatchObserver observer;
    /** Fires request deadlines; a timer is cancelled (and removed) as soon as its request is answered. */
    private final ScheduledThreadPoolExecutor deadlines;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<InferenceRequest> queue = new ArrayDeque<>();
    private int executing;

    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean stopped;

    public Batcher(LoadedModel model, Settings settings, BatchObserver observer) {
        this.model = model;
        this.signature = model.signature();
        this.settings = settings;
        this.observer = observer;
        this.requestSignature = relaxBatchDimension(signature);
        this.maxItems = maxItems(signature, settings.maxBatchSize());
        this.padTo = signature.batched() && signature.maxBatch() > 0 ? (int) signature.maxBatch() : 0;
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "request-deadlines");
            t.setDaemon(true);
            return t;
        });
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    /** Items one batch may hold: 1 without a batch dimension, never above a fixed batch dimension. */
    public static int maxItems(Signature s, int configured) {
        if (!s.batched()) {
            return 1;
        }
        return s.maxBatch() > 0 ? (int) Math.min(configured, s.maxBatch()) : configured;
    }

    /** Requests may carry fewer rows than a fixed batch dimension: the batch is padded up to it. */
    private static Signature relaxBatchDimension(Signature s) {
        if (!s.batched() || s.maxBatch() <= 0) {
            return s;
        }
        List<TensorSpec> inputs = new ArrayList<>();
        for (TensorSpec t : s.inputs()) {
            long[] shape = t.shape();
            shape[0] = -1;
            inputs.add(t.withShape(shape));
        }
        return new Signature(inputs, s.outputs(), s.batched(), s.maxBatch());
    }

    public Settings settings() {
        return settings;
    }

    /** Items per batch in effect (the configured size after the model's limits). */
    public int maxBatchItems() {
        return maxItems;
    }

    public synchronized void start() {
        for (int i = 0; i < settings.instances(); i++) {
            Thread t = new Thread(new Worker(), "batch-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Queues a request. Fails at once with {@link QueueFullException}, {@link ShuttingDownException} or
     * {@link InvalidInputException}; the future fails with {@link DeadlineExceededException} when the
     * deadline passes first, and with a CancellationException when the caller cancels it.
     */
    public InferenceRequest submit(Map<String, Tensor> inputs) {
        if (!accepting) {
            throw new ShuttingDownException();
        }
        InputValidation.check(requestSignature, inputs);
        int items = itemsOf(inputs);
        if (padTo > 0 && items > padTo) {
            throw new InvalidInputException("the request carries " + items + " items but the model takes at most "
                    + padTo + " per batch");
        }
        long now = System.nanoTime();
        InferenceRequest r = new InferenceRequest(inputs, items, BatchAssembler.shapeKey(signature, inputs), now,
                now + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs()));
        lock.lock();
        try {
            if (!accepting) {
                throw new ShuttingDownException();
            }
            if (queue.size() >= settings.queueCapacity()) {
                observer.rejected();
                throw new QueueFullException(settings.queueCapacity());
            }
            queue.addLast(r);
            inFlight.incrementAndGet();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        ScheduledFuture<?> timer;
        try {
            timer = deadlines.schedule(() -> expire(r), settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            timer = null; // closed concurrently: close() has failed or will fail the request
            r.result.completeExceptionally(new ShuttingDownException());
        }
        ScheduledFuture<?> t = timer;
        r.result.whenComplete((v, e) -> {
            if (t != null) {
                t.cancel(false);
            }
            if (inFlight.decrementAndGet() == 0) {
                signalIfIdle();
            }
        });
        return r;
    }

    /** Fails the request with 504 unless it was answered first; counts it only when the deadline won. */
    private void expire(InferenceRequest r) {
        if (r.result.completeExceptionally(new DeadlineExceededException(settings.requestTimeoutMs()))) {
            observer.timedOut();
        }
    }

    private int itemsOf(Map<String, Tensor> inputs) {
        if (!signature.batched() || inputs.isEmpty()) {
            return 1;
        }
        long[] shape = inputs.values().iterator().next().shape();
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    public int queueDepth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Requests accepted and not yet answered (queued or running). */
    public int inFlight() {
        return inFlight.get();
    }

    private void signalIfIdle() {
        lock.lock();
        try {
            if (inFlight.get() == 0 && executing == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking requests and waits until every accepted one is answered and no batch is in the engine,
     * at most {@code timeoutMs}. Workers keep running, so queued requests are served, not dropped.
     * @return true when everything drained in time
     */
    public boolean drain(long timeoutMs) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            accepting = false;
            while (inFlight.get() > 0 || executing > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean accepting() {
        return accepting;
    }

    /** Stops the workers; queued requests fail with 503. Waits briefly for a batch still in the engine. */
    @Override
    public void close() {
        List<InferenceRequest> dropped = new ArrayList<>();
        lock.lock();
        try {
            accepting = false;
            stopped = true;
            dropped.addAll(queue);
            queue.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        dropped.forEach(r -> r.result.completeExceptionally(new ShuttingDownException()));
        deadlines.shutdownNow();
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(workers);
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MS);
        for (Thread t : started) {
            t.interrupt();
        }
        for (Thread t : started) {
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left > 0) {
                    t.join(left);
                }
                if (t.isAlive()) {
                    log.warn("{} is still running a batch after {} ms", t.getName(), CLOSE_JOIN_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker implements Runnable {
        private final List<InferenceRequest> batch = new ArrayList<>();

        @Override
        public void run() {
            try (Predictor predictor = model.newPredictor()) {
                while (!stopped) {
                    try {
                        collect();
                    } catch (InterruptedException e) {
                        break;
                    }
                    if (!batch.isEmpty()) {
                        execute(predictor);
                    }
                }
            } catch (RuntimeException e) {
                log.error("batch worker stopped: {}", e.toString(), e);
            }
        }

        /**
         * Takes the oldest live request, then same-shape requests in queue order until the batch is full or
         * the delay is over. Requests of another shape stay where they are for the next worker.
         */
        private void collect() throws InterruptedException {
            batch.clear();
            lock.lockInterruptibly();
            try {
                InferenceRequest first = null;
                while (first == null) {
                    while (queue.isEmpty()) {
                        if (stopped) {
                            return;
                        }
                        arrived.await();
                    }
                    first = live(queue.pollFirst(), System.nanoTime());
                }
                batch.add(first);
                int items = first.items;
                int cap = share(first.items + queuedItems(), settings.instances() - executing, maxItems);
                // Waiting pays only under load: a request that is the only one in flight when taken (a lone
                // client) runs at once instead of paying the delay for company that is not coming.
                boolean alone = inFlight.get() <= 1;
                long until = System.nanoTime() + settings.maxBatchDelayNanos();
                while (items < cap && !stopped) {
                    long now = System.nanoTime();
                    for (Iterator<InferenceRequest> it = queue.iterator(); it.hasNext() && items < cap; ) {
                        InferenceRequest r = it.next();
                        if (r.abandoned() || now > r.deadlineNanos) {
                            it.remove();
                            live(r, now);
                        } else if (r.shapeKey.equals(first.shapeKey) && items + r.items <= cap) {
                            it.remove();
                            batch.add(live(r, now));
                            items += r.items;
                        }
                    }
                    long left = until - System.nanoTime();
                    if (items >= cap || left <= 0 || alone) {
                        break;
                    }
                    arrived.awaitNanos(left);
                }
                executing++;
            } finally {
                lock.unlock();
            }
        }

        private int queuedItems() {
            int n = 0;
            for (InferenceRequest r : queue) {
                n += r.items;
            }
            return n;
        }

        /**
         * The request if it should still run; null (and answered 504 if its deadline passed) if not.
         * Records the queue wait of the ones that run.
         */
        private InferenceRequest live(InferenceRequest r, long now) {
            if (r.abandoned()) {
                return null;
            }
            if (now > r.deadlineNanos) {
                expire(r);
                return null;
            }
            observer.queueWait(now - r.enqueuedNanos);
            return r;
        }

        private void execute(Predictor predictor) {
            try {
                // A request may have been cancelled or expired while the batch was forming; drop it now
                // rather than spend engine time on it.
                batch.removeIf(InferenceRequest::abandoned);
                if (batch.isEmpty()) {
                    return;
                }
                int items = 0;
                for (InferenceRequest r : batch) {
                    items += r.items;
                }
                Map<String, Tensor> inputs = BatchAssembler.concat(batch, padTo);
                long start = System.nanoTime();
                Map<String, Tensor> outputs = predictor.predict(inputs);
                observer.batchExecuted(items, System.nanoTime() - start);
                // Without a batch dimension the outputs belong whole to the one request that ran.
                List<Map<String, Tensor>> parts = signature.batched() ? BatchAssembler.split(outputs, batch)
                        : List.of(outputs);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result.complete(parts.get(i));
                }
            } catch (RuntimeException e) {
                for (InferenceRequest r : batch) {
                    r.result.completeExceptionally(e);
                }
            } finally {
                batch.clear();
                lock.lock();
                try {
                    executing--;
                    if (executing == 0 && inFlight.get() == 0) {
                        idle.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Items a worker may take when {@code idleWorkers} (itself included) are free to share {@code queuedItems}:
     * an equal share, so that no worker sits idle while another runs everything. On CPU a compute-bound
     * model needs every worker busy (MobileNetV2, 2 workers: one worker taking all 32 queued images left
     * the other core idle for a whole batch); an overhead-bound model still gets batches of half the queue.
     */
    static int share(int queuedItems, int idleWorkers, int maxItems) {
        if (idleWorkers <= 1) {
            return maxItems;
        }
        return Math.max(1, Math.min(maxItems, (queuedItems + idleWorkers - 1) / idleWorkers));
    }

    /** For callers that only need the future. */
    public CompletableFuture<Map<String, Tensor>> run(Map<String, Tensor> inputs) {
        return submit(inputs).result();
    }
}
