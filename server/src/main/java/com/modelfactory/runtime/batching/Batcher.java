package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching: requests enter a bounded queue; {@code instances} worker threads each take up to
 * {@code maxBatchSize} items that share a per-item shape, waiting at most {@code maxBatchDelay} for more,
 * run them as one batch on their own predictor and complete each request with its rows.
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /** Settings for one batcher; maxBatchSize is already capped by the model's fixed batch dimension. */
    public record Settings(int maxBatchSize, long maxBatchDelayNanos, int queueCapacity, int instances,
                           long requestTimeoutMs) {
    }

    private final LoadedModel model;
    private final Signature signature;
    private final Signature requestSignature;
    private final Settings settings;
    private final BatchObserver observer;
    private final LinkedBlockingDeque<InferenceRequest> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean accepting = true;
    private volatile boolean stopped;

    public Batcher(LoadedModel model, Settings settings, BatchObserver observer) {
        this.model = model;
        this.signature = model.signature();
        this.settings = settings;
        this.observer = observer;
        this.queue = new LinkedBlockingDeque<>(settings.queueCapacity());
        this.requestSignature = relaxBatchDimension(signature);
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

    public synchronized void start() {
        for (int i = 0; i < settings.instances(); i++) {
            Thread t = new Thread(new Worker(), "batch-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Queues a request. Fails at once with {@link QueueFullException} or {@link ShuttingDownException};
     * the future fails with {@link DeadlineExceededException} when the deadline passes first.
     */
    public InferenceRequest submit(Map<String, Tensor> inputs) {
        if (!accepting) {
            throw new ShuttingDownException();
        }
        InputValidation.check(requestSignature, inputs);
        int items = itemsOf(inputs);
        if (signature.batched() && signature.maxBatch() > 0 && items > signature.maxBatch()) {
            throw new InvalidInputException("the request carries " + items + " items but the model takes at most "
                    + signature.maxBatch() + " per batch");
        }
        long now = System.nanoTime();
        long timeoutMs = settings.requestTimeoutMs();
        InferenceRequest r = new InferenceRequest(inputs, items, BatchAssembler.shapeKey(signature, inputs), now,
                now + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        inFlight.incrementAndGet();
        r.result.whenComplete((v, e) -> {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        });
        if (!queue.offer(r)) {
            observer.rejected();
            QueueFullException full = new QueueFullException(settings.queueCapacity());
            r.result.completeExceptionally(full);
            throw full;
        }
        r.result.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionally(e -> {
            if (e instanceof TimeoutException) {
                observer.timedOut();
            }
            return null;
        });
        return r;
    }

    private int itemsOf(Map<String, Tensor> inputs) {
        if (!signature.batched() || inputs.isEmpty()) {
            return 1;
        }
        long[] shape = inputs.values().iterator().next().shape();
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    public int queueDepth() {
        return queue.size();
    }

    /** Requests accepted and not yet answered (queued or running). */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops taking requests and waits until every accepted one is answered, at most {@code timeoutMs}.
     * @return true when everything drained in time
     */
    public boolean drain(long timeoutMs) throws InterruptedException {
        accepting = false;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }

    public boolean accepting() {
        return accepting;
    }

    @Override
    public void close() {
        accepting = false;
        stopped = true;
        workers.forEach(Thread::interrupt);
        for (InferenceRequest r; (r = queue.poll()) != null; ) {
            r.result.completeExceptionally(new ShuttingDownException());
        }
    }

    private final class Worker implements Runnable {
        private final int padTo = signature.batched() && signature.maxBatch() > 0 ? (int) signature.maxBatch() : 0;
        private final List<InferenceRequest> batch = new ArrayList<>();
        private final List<InferenceRequest> leftovers = new ArrayList<>();

        @Override
        public void run() {
            try (var predictor = model.newPredictor()) {
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

        /** Takes the first live request, then more of the same shape until full or the delay is over. */
        private void collect() throws InterruptedException {
            batch.clear();
            InferenceRequest first = takeLive(queue.take());
            while (first == null) {
                first = takeLive(queue.take());
            }
            batch.add(first);
            int items = first.items;
            int max = signature.batched() ? settings.maxBatchSize() : 1;
            long until = System.nanoTime() + settings.maxBatchDelayNanos();
            while (items < max) {
                long left = until - System.nanoTime();
                InferenceRequest next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                if (next == null) {
                    break;
                }
                if (takeLive(next) == null) {
                    continue;
                }
                if (!next.shapeKey.equals(first.shapeKey) || items + next.items > max) {
                    leftovers.add(next);
                    if (leftovers.size() > max) {
                        break;
                    }
                    continue;
                }
                batch.add(next);
                items += next.items;
            }
            for (int i = leftovers.size() - 1; i >= 0; i--) {
                // Back to the front so they keep their place; the deque may exceed capacity by these few.
                if (!queue.offerFirst(leftovers.get(i))) {
                    queue.putFirst(leftovers.get(i));
                }
            }
            leftovers.clear();
        }

        /** Drops requests that were cancelled or are past their deadline; records queue wait of the rest. */
        private InferenceRequest takeLive(InferenceRequest r) {
            if (r.abandoned()) {
                return null;
            }
            long now = System.nanoTime();
            if (now > r.deadlineNanos) {
                observer.timedOut();
                r.result.completeExceptionally(new DeadlineExceededException(settings.requestTimeoutMs()));
                return null;
            }
            observer.queueWait(now - r.enqueuedNanos);
            return r;
        }

        private void execute(com.modelfactory.runtime.engine.Predictor predictor) {
            int items = batch.stream().mapToInt(r -> r.items).sum();
            try {
                Map<String, Tensor> inputs = BatchAssembler.concat(batch, padTo);
                long start = System.nanoTime();
                Map<String, Tensor> outputs = predictor.predict(inputs);
                observer.batchExecuted(items, System.nanoTime() - start);
                List<Map<String, Tensor>> parts = BatchAssembler.split(outputs, batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result.complete(parts.get(i));
                }
            } catch (RuntimeException e) {
                for (InferenceRequest r : batch) {
                    r.result.completeExceptionally(e);
                }
            }
        }
    }

    /** For callers that only need the future. */
    public CompletableFuture<Map<String, Tensor>> run(Map<String, Tensor> inputs) {
        return submit(inputs).result();
    }
}
