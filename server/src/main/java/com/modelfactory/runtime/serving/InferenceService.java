package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.batching.BatchAssembler;
import com.modelfactory.runtime.batching.BatchPolicy;
import com.modelfactory.runtime.batching.EveryCoreCopy;
import com.modelfactory.runtime.batching.QueuedRequest;
import com.modelfactory.runtime.batching.RequestParts;
import com.modelfactory.runtime.batching.RequestQueue;
import com.modelfactory.runtime.batching.WorkerPool;
import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving core every front end calls (HTTP routes, gRPC, batch mode): admission, decoding, the
 * batch queue, workers, deadlines and drain for the one model this process serves.
 *
 * <p>A request is admitted, or refused at once: {@code BUSY} when {@code queueCapacity} requests are
 * already accepted and unanswered (decoding, queued or running: one bound from acceptance to answer, so
 * memory is capacity x request size), {@code UNAVAILABLE} once draining. It then decodes on a decode
 * worker, waits in the queue for a batch, and its future completes with the model's outputs, or fails
 * with a {@link ServingException}: {@code TIMED_OUT} when its deadline (from acceptance) passes first.
 * Cancelling the future drops the request wherever it is.
 */
public final class InferenceService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceService.class);

    private final LoadedModel model;
    private final EveryCoreCopy lone;
    private final ModelInfo info;
    private final ModelInputs inputs;
    private final ServiceSettings settings;
    private final ServingObserver observer;
    private final InferenceStatistics statistics = new InferenceStatistics();
    private final Signature requestSignature;
    private final int padTo;
    private final RequestQueue queue;
    private final WorkerPool workers;
    private final ThreadPoolExecutor decoders;
    private final Deadlines deadlines;
    private final AtomicInteger admitted = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private final Object idle = new Object();
    private volatile boolean accepting = true;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public InferenceService(LoadedModel model, ModelInfo info, ModelInputs inputs, ServiceSettings settings,
                            ServingObserver observer) {
        this(model, null, info, inputs, settings, observer);
    }

    /**
     * @param lone the model's second copy using every core, for a batch that runs while the other workers are
     *             idle (null = none), there already or arriving later; closed with the service
     */
    public InferenceService(LoadedModel model, EveryCoreCopy lone, ModelInfo info, ModelInputs inputs,
                            ServiceSettings settings, ServingObserver observer) {
        this.model = model;
        this.lone = lone;
        this.info = info;
        this.inputs = inputs;
        this.settings = settings;
        this.observer = both(observer, statistics);
        Signature signature = model.signature();
        this.requestSignature = relaxBatchDimension(signature);
        this.padTo = BatchPolicy.padTo(signature);
        BatchPolicy policy = new BatchPolicy(BatchPolicy.maxItems(signature, settings.maxBatchItems()),
                settings.maxBatchDelay().toNanos());
        this.queue = new RequestQueue(policy, settings.workers(), admitted::get, this.observer);
        this.workers = new WorkerPool(model, lone, queue, this.observer);
        this.decoders = new ThreadPoolExecutor(settings.decoders(), settings.decoders(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("request-decoder"));
        Duration timeout = settings.requestTimeout();
        this.deadlines = new Deadlines(timeout.toNanos(), () -> new ServingException(ServingException.Kind.TIMED_OUT,
                "the request was not served within " + timeout.toMillis() + " ms (request_timeout_ms)"),
                "request-deadlines");
    }

    /** Reports to the metrics and to the statistics alike. */
    private static ServingObserver both(ServingObserver a, ServingObserver b) {
        return new ServingObserver() {
            @Override
            public void decoded(long nanos) {
                a.decoded(nanos);
                b.decoded(nanos);
            }

            @Override
            public void queueWait(long nanos) {
                a.queueWait(nanos);
                b.queueWait(nanos);
            }

            @Override
            public void batchExecuted(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
                a.batchExecuted(requests, items, inputNanos, inferNanos, outputNanos);
                b.batchExecuted(requests, items, inputNanos, inferNanos, outputNanos);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Requests may carry fewer rows than a fixed batch dimension: the batch is padded up to it. */
    private static Signature relaxBatchDimension(Signature s) {
        if (!s.batched() || s.maxBatch() <= 0) {
            return s;
        }
        List<TensorSpec> relaxed = new ArrayList<>();
        for (TensorSpec t : s.inputs()) {
            long[] shape = t.shape();
            shape[0] = -1;
            relaxed.add(t.withShape(shape));
        }
        return new Signature(relaxed, s.outputs(), s.batched(), s.maxBatch());
    }

    public void start() {
        workers.start(settings.workers());
    }

    public ModelInfo info() {
        return info;
    }

    public ModelInputs inputs() {
        return inputs;
    }

    public ServiceSettings settings() {
        return settings;
    }

    /** Cumulative counts and times, as Triton's statistics extension reports them. */
    public InferenceStatistics statistics() {
        return statistics;
    }

    /** Batches run on the every-core copy of the model (none without one). */
    public long loneBatches() {
        return workers.loneBatches();
    }

    /** Items per batch in effect (the configured size after the model's limits). */
    public int maxBatchItems() {
        return queue.policy().maxItems();
    }

    /** Runs a request whose tensors the caller already has. */
    public CompletableFuture<Map<String, Tensor>> infer(Map<String, Tensor> tensors) {
        return infer(model -> tensors);
    }

    /** {@link #run}'s outputs alone. */
    public CompletableFuture<Map<String, Tensor>> infer(RequestDecoder decoder) {
        return Linked.map(run(decoder), Inference::outputs);
    }

    /**
     * {@link #run(RequestDecoder)}, then the model's task turns the outputs into answers (one per item),
     * on the thread that completed the batch. A model whose task is raw fails the request (400).
     */
    public CompletableFuture<List<ImageAnswer>> answer(RequestDecoder decoder, AnswerOptions options) {
        ModelTask task = info.task();
        return Linked.map(run(decoder), r -> task.answer(r.outputs(), r.frames(), options));
    }

    /**
     * Admits a request (or throws BUSY / UNAVAILABLE at once), decodes it on a decode worker and queues
     * it for a batch. The future completes with every output of the model, in signature order, and the
     * frames of the images decoded for it. Cancelling it drops the request wherever it is.
     */
    public CompletableFuture<Inference> run(RequestDecoder decoder) {
        admit();
        List<ImageFrame> frames = new ArrayList<>(1); // filled on the decode worker, read after the batch
        AtomicInteger ranInBatchOf = new AtomicInteger(); // set by the batch worker, read after the batch
        CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();
        long accepted = System.nanoTime();
        long deadline = accepted + settings.requestTimeout().toNanos();
        result.whenComplete((v, e) -> {
            statistics.requestDone(e == null, System.nanoTime() - accepted);
            release();
        });
        deadlines.track(result, deadline);
        try {
            decoders.execute(new DecodeTask(() -> decodeAndQueue(decoder, frames, ranInBatchOf, result, deadline),
                    result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(ServingException.unavailable("the server is shutting down"));
        }
        return Linked.map(result, outputs -> new Inference(outputs, frames, ranInBatchOf.get()));
    }

    private void admit() {
        accepted.incrementAndGet();
        int n = admitted.incrementAndGet();
        if (!accepting) {
            release();
            throw ServingException.unavailable("the server is shutting down and accepts no new requests");
        }
        if (workers.allEnded()) {
            release();
            throw ServingException.unavailable("no batch worker is running (see the server log)");
        }
        if (n > settings.queueCapacity()) {
            release();
            throw ServingException.busy("the server is at capacity (" + settings.queueCapacity()
                    + " requests accepted and unanswered); retry later");
        }
    }

    private void release() {
        if (admitted.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private void decodeAndQueue(RequestDecoder decoder, List<ImageFrame> frames, AtomicInteger ranInBatchOf,
                                CompletableFuture<Map<String, Tensor>> result, long deadline) {
        if (result.isDone()) {
            return; // cancelled or expired while waiting for a decoder
        }
        InputBuffers buffers = inputs.buffers();
        buffers.begin();
        inputs.beginFrames(frames);
        List<ByteBuffer> pooled = null;
        try {
            long start = System.nanoTime();
            Map<String, Tensor> tensors;
            try {
                tensors = inputs.withEncodedImages(decoder.decode(inputs));
            } finally {
                inputs.endFrames();
            }
            pooled = buffers.end();
            observer.decoded(System.nanoTime() - start);
            tensors = InputValidation.conform(requestSignature, model.inputRules(), tensors);
            int items = check(tensors);
            List<ByteBuffer> issued = pooled;
            Runnable release = issued.isEmpty() ? null : () -> buffers.giveBack(issued);
            String shapeKey = BatchAssembler.shapeKey(requestSignature, tensors);
            int perBatch = queue.policy().maxItems();
            if (padTo == 0 && requestSignature.batched() && items > perBatch) {
                queueInParts(tensors, items, perBatch, shapeKey, deadline, result, release, ranInBatchOf);
            } else {
                queue.add(new QueuedRequest(tensors, items, shapeKey, deadline, result, release, ranInBatchOf));
            }
        } catch (RuntimeException | Error e) {
            buffers.giveBack(pooled != null ? pooled : buffers.end());
            result.completeExceptionally(Failures.classify(e));
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    /**
     * A request over the batch cap queues as parts of at most the cap ({@link RequestParts}), so the engine
     * never runs, nor its arena keeps, a batch larger than the cap; the answer is the parts' outputs in
     * order, or the first part's failure. Ending the request (deadline, client gone) drops its parts; its
     * buffers go back once every part has been copied or dropped.
     */
    private void queueInParts(Map<String, Tensor> tensors, int items, int perBatch, String shapeKey, long deadline,
                              CompletableFuture<Map<String, Tensor>> result, Runnable release,
                              AtomicInteger ranInBatchOf) {
        List<Map<String, Tensor>> parts = RequestParts.slice(tensors, items, perBatch);
        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>(parts.size());
        AtomicInteger unreleased = new AtomicInteger(parts.size());
        Runnable releaseOnce = release == null ? null : () -> {
            if (unreleased.decrementAndGet() == 0) {
                release.run();
            }
        };
        for (int i = 0; i < parts.size(); i++) {
            CompletableFuture<Map<String, Tensor>> answer = new CompletableFuture<>();
            answer.whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(Failures.classify(e));
                }
            });
            answers.add(answer);
        }
        result.whenComplete((v, e) -> answers.forEach(a -> a.cancel(false)));
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenRun(() -> {
            try {
                result.complete(RequestParts.concat(answers.stream().map(CompletableFuture::join).toList()));
            } catch (RuntimeException e) {
                result.completeExceptionally(Failures.classify(e));
            }
        });
        for (int i = 0; i < parts.size(); i++) {
            int rows = Math.min(perBatch, items - i * perBatch);
            queue.add(new QueuedRequest(parts.get(i), rows, shapeKey, deadline, answers.get(i), releaseOnce,
                    ranInBatchOf));
        }
    }

    /** A queued decode, kept with its request so a shutdown can answer the ones that never ran. */
    private record DecodeTask(Runnable work, CompletableFuture<?> result) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    /** Checks the tensors against the model before they queue. @return the request's items */
    private int check(Map<String, Tensor> tensors) {
        InputValidation.check(requestSignature, model.inputRules(), tensors);
        int items = requestSignature.batched() ? items(tensors) : 1;
        if (items > settings.maxRequestItems()) {
            throw ServingException.tooLarge("the request carries " + items + " items; at most "
                    + settings.maxRequestItems() + " are served per request (max_request_items / MAX_REQUEST_ITEMS)");
        }
        if (padTo > 0 && items > padTo) {
            throw ServingException.badInput("the request carries " + items + " items but the model takes at most "
                    + padTo + " per batch");
        }
        return items;
    }

    /** The items (first dimension) every input of a batched model carries alike; 400 when they differ. */
    static int items(Map<String, Tensor> tensors) {
        long items = -1;
        String first = null;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long[] shape = e.getValue().shape();
            long n = shape.length == 0 ? 1 : shape[0];
            if (first == null) {
                first = e.getKey();
                items = n;
            } else if (n != items) {
                throw ServingException.badInput("inputs of one request carry the same number of items (first "
                        + "dimension): '" + first + "' has " + items + ", '" + e.getKey() + "' has " + n);
            }
        }
        if (items > Integer.MAX_VALUE) {
            throw ServingException.badInput("the request carries " + items + " items");
        }
        return first == null ? 1 : (int) items;
    }

    /** False once no batch worker is left (each died of an error the log shows): not ready, 503. */
    public boolean serving() {
        return !workers.allEnded();
    }

    /** Requests that asked to be admitted so far, refused ones included: a count that moves while busy. */
    public long accepted() {
        return accepted.get();
    }

    /** Requests accepted and not yet answered (decoding, queued or running). */
    public int inFlight() {
        return admitted.get();
    }

    public int queueDepth() {
        return queue.depth();
    }

    public boolean accepting() {
        return accepting;
    }

    /**
     * Stops accepting and waits until every accepted request is answered, at most {@code timeout}.
     * Workers keep running meanwhile, so accepted requests are served, not dropped.
     * @return true when everything was answered in time
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        accepting = false;
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (admitted.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /**
     * Stops everything and closes the model; requests still queued fail with UNAVAILABLE. A heavy model's
     * every-core copy still loading is waited for first (at most 30 s: {@link EveryCoreCopy#close()}).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // closed already: a second close would free the engine's native session twice
        }
        accepting = false;
        for (QueuedRequest r : queue.close()) {
            r.fail(ServingException.unavailable("the server stopped before the request ran"));
        }
        for (Runnable never : decoders.shutdownNow()) {
            if (never instanceof DecodeTask t) {
                t.result().completeExceptionally(ServingException.unavailable("the server stopped before the request ran"));
            }
        }
        boolean stopped = workers.close();
        deadlines.close();
        if (stopped) {
            try {
                model.close();
            } finally {
                if (lone != null) {
                    lone.close();
                }
            }
        } else {
            // Freeing a session under a running engine call can crash the process; its exit frees it instead.
            log.warn("the model stays open: a batch worker is still in the engine");
            if (lone != null) {
                lone.abandon(); // still, the exit must not cut into a copy's native set-up
            }
        }
    }
}
