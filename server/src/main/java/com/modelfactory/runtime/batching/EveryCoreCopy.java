package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.LoadedModel;

/**
 * A heavy model's second copy, with every core, for the batches that run alone ({@link WorkerPool}). It is
 * there from the start, or it arrives once the service already serves: a single model becomes ready on its
 * one-core copy and loads this one after (MobileNetV2: 0.1-0.3 s sooner to the first answer), its
 * batches running on one core meanwhile. Closed with the service; a copy arriving after that is closed at once.
 */
public final class EveryCoreCopy implements AutoCloseable {
    /** How long closing waits for a copy still loading: exiting under ONNX Runtime's session set-up crashed it. */
    private static final long LOAD_WAIT_MS = 30_000;
    private volatile LoadedModel model;
    private boolean loading;
    private volatile boolean closed;

    /** A copy loaded already. */
    public static EveryCoreCopy of(LoadedModel model) {
        EveryCoreCopy copy = new EveryCoreCopy();
        copy.arrive(model);
        return copy;
    }

    /** The copy, or null while it has not arrived and once the service closes. */
    LoadedModel model() {
        return closed ? null : model;
    }

    /** The copy is being loaded, after the service started. */
    public synchronized void loading() {
        loading = true;
    }

    /** The copy could not be loaded: every batch stays on one core. */
    public synchronized void failed() {
        loading = false;
        notifyAll();
    }

    /** The copy is loaded and warm: batches that run alone use it from now on. */
    public synchronized void arrive(LoadedModel loaded) {
        loading = false;
        notifyAll();
        if (closed) {
            loaded.close(); // the service stopped while it loaded
            return;
        }
        model = loaded;
    }

    /**
     * Closes the copy (once the workers have stopped), and any that arrives later; a copy still loading is waited
     * for, at most {@link #LOAD_WAIT_MS}, so the process does not exit under its native set-up.
     */
    @Override
    public synchronized void close() {
        abandon();
        if (model != null) {
            model.close();
        }
    }

    /**
     * As {@link #close()} but leaves a copy that arrived open: a worker still in the engine may be using it (its
     * memory goes with the process). A copy arriving later is closed; none is handed to a worker any more.
     */
    public synchronized void abandon() {
        closed = true;
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(LOAD_WAIT_MS);
        try {
            while (loading && System.nanoTime() < end) {
                wait(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
