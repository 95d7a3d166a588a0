package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.RequestDecoder;
import com.modelfactory.runtime.serving.ServiceSettings;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs images through the serving core as fast as it goes: each image is one request whose decoder
 * reads the file and decodes and shapes it on the service's decode workers, while the batch workers run
 * the engine. A window of requests stays in flight: enough that every worker finds a full batch queued
 * behind the one it runs and every decoder has work, never more than the queue's capacity, so the
 * service is never BUSY (should it be, the runner backs off and retries). Results are handed to the
 * sink on one writer thread, in completion order.
 */
final class BatchRunner {
    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);
    /** An image whose deadline passed (the window was too big for this engine) is tried this often more. */
    private static final int TIMEOUT_RETRIES = 2;
    private static final long MAX_BACKOFF_MS = 1000;

    /** Where results go; called on the writer thread only. */
    interface Sink {
        /** Throws ServingException when the outputs cannot be rendered: the image is recorded as failed. */
        void succeeded(InputItem item, Map<String, Tensor> outputs) throws IOException;

        /** The image's answer, for runs with {@code answering} options. */
        void answered(InputItem item, ImageAnswer answer) throws IOException;

        void failed(InputItem item, ServingException error) throws IOException;
    }

    private record Attempt(InputItem item, int retry) {
    }

    private final InferenceService service;
    private final Sink sink;
    private final Progress progress;
    private final long maxFileBytes;
    private final Window window;
    private final BlockingQueue<Attempt> retries = new LinkedBlockingQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong backoffs = new AtomicLong();
    private volatile Exception fatal;
    private final AnswerOptions answering;

    /** @param maxFileBytes larger files are recorded as too large without being read (MAX_BODY_BYTES) */
    BatchRunner(InferenceService service, Sink sink, Progress progress, long maxFileBytes) {
        this(service, sink, progress, maxFileBytes, null);
    }

    /** @param answering the options images are answered with (the model's task); null = their outputs */
    BatchRunner(InferenceService service, Sink sink, Progress progress, long maxFileBytes, AnswerOptions answering) {
        this.service = service;
        this.answering = answering;
        this.sink = sink;
        this.progress = progress;
        this.maxFileBytes = maxFileBytes;
        this.window = new Window(windowSize(service.settings(), service.maxBatchItems()));
    }

    /**
     * Two full batches per worker (the one running and the next, queued) plus one image per decoder,
     * capped by the queue capacity: batches form at the engine's size and nothing waits long enough to
     * approach its deadline.
     */
    static int windowSize(ServiceSettings s, int maxBatchItems) {
        long wanted = 2L * maxBatchItems * s.workers() + s.decoders();
        return (int) Math.max(1, Math.min(s.queueCapacity(), wanted));
    }

    int window() {
        return window.size();
    }

    long backoffs() {
        return backoffs.get();
    }

    /** Runs every item; returns when each is recorded. Throws what the sink threw (the output failed). */
    void run(List<InputItem> items) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "batch-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            for (InputItem item : items) {
                while (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    submitRetries(writer);
                }
                submitRetries(writer);
                if (fatal != null) {
                    window.release();
                    break;
                }
                outstanding.incrementAndGet();
                submit(new Attempt(item, 0), writer);
            }
            while (outstanding.get() > 0) {
                Attempt retry = retries.poll(50, TimeUnit.MILLISECONDS);
                if (retry != null) {
                    submit(retry, writer);
                }
            }
        } finally {
            writer.shutdown();
            writer.awaitTermination(1, TimeUnit.MINUTES);
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    private void submitRetries(ExecutorService writer) throws InterruptedException {
        for (Attempt a = retries.poll(); a != null; a = retries.poll()) {
            submit(a, writer);
        }
    }

    private void submit(Attempt a, ExecutorService writer) throws InterruptedException {
        long backoff = 1;
        while (true) {
            CompletableFuture<?> result;
            try {
                result = answering == null ? service.infer(decoder(a.item().file()))
                        : service.answer(decoder(a.item().file()), answering);
            } catch (ServingException e) {
                if (e.kind() != ServingException.Kind.BUSY) {
                    throw e;
                }
                if (backoffs.getAndIncrement() == 0) {
                    log.warn("the serving queue is full ({}); backing off", e.getMessage());
                }
                Thread.sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                continue;
            }
            result.whenCompleteAsync((outputs, error) -> completed(a, outputs, error), writer);
            return;
        }
    }

    @SuppressWarnings("unchecked")
    private void completed(Attempt a, Object result, Throwable error) {
        try {
            if (error == null) {
                try {
                    if (result instanceof List<?> answers) {
                        sink.answered(a.item(), ((List<ImageAnswer>) answers).get(0));
                    } else {
                        sink.succeeded(a.item(), (Map<String, Tensor>) result);
                    }
                    progress.succeeded();
                } catch (ServingException unusable) {
                    sink.failed(a.item(), unusable); // e.g. top-k of an output that is no classifier's
                    progress.failed();
                }
            } else {
                ServingException e = Failures.classify(error);
                if (e.kind() == ServingException.Kind.TIMED_OUT && a.retry() < TIMEOUT_RETRIES) {
                    int size = window.shrink(service.maxBatchItems());
                    log.warn("{}: {}; trying it again with {} image(s) in flight", a.item().key(), e.getMessage(), size);
                    retries.add(new Attempt(a.item(), a.retry() + 1));
                    return;
                }
                if (e.kind() == ServingException.Kind.INTERNAL) {
                    log.warn("{}: {}", a.item().key(), e.getMessage(), e.getCause());
                }
                sink.failed(a.item(), e);
                progress.failed();
            }
        } catch (IOException | RuntimeException e) {
            if (fatal == null) {
                fatal = e;
            }
        }
        outstanding.decrementAndGet();
        window.release();
    }

    /** Reads the file on the decode worker and decodes and shapes it as /predict does. */
    private RequestDecoder decoder(Path file) {
        return model -> Map.of(model.imageInput(), model.image(read(file, maxFileBytes)));
    }

    static byte[] read(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw ServingException.tooLarge("the file has " + size + " bytes, more than max_body_bytes ("
                        + maxBytes + ")");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ServingException.badInput("no such file");
        } catch (AccessDeniedException e) {
            throw ServingException.badInput("permission denied");
        } catch (IOException e) {
            throw ServingException.badInput("cannot read the file: " + e.getMessage());
        }
    }

    /** The in-flight window; halved (to one batch at the least) when an image's deadline passes. */
    private static final class Window extends Semaphore {
        private int size;

        Window(int size) {
            super(size);
            this.size = size;
        }

        synchronized int size() {
            return size;
        }

        synchronized int shrink(int min) {
            int smaller = Math.max(min, size / 2);
            if (smaller < size) {
                reducePermits(size - smaller);
                size = smaller;
            }
            return size;
        }
    }
}
