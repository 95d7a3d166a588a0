package com.modelfactory.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Life cycle of the process as probes see it: live from the first moment the port is open, ready only
 * once the model is loaded and warmed up, not ready again as soon as shutdown begins.
 *
 * <p>It also counts admitted requests (from the route's admission check until the response ends or the
 * connection closes), so a drain waits for requests that are still being decoded and have not reached
 * the batcher yet: a request admitted before SIGTERM is answered, one that arrives after gets 503.
 */
public final class ServingState {
    private volatile ServedModel model;
    private volatile boolean ready;
    private volatile boolean draining;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Object drained = new Object();

    public ServedModel model() {
        return model;
    }

    public void modelReady(ServedModel m) {
        this.model = m;
        this.ready = true;
    }

    public void beginDrain() {
        draining = true;
        ready = false;
    }

    public boolean ready() {
        return ready && !draining;
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Admits one request unless draining has begun; every true answer must be paired with {@link #release()}.
     * Increment first, then check: a drain that sees zero admitted requests can never miss one admitted later.
     */
    public boolean admit() {
        admitted.incrementAndGet();
        if (draining) {
            release();
            return false;
        }
        return true;
    }

    public void release() {
        if (admitted.decrementAndGet() == 0 && draining) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Requests admitted and not yet answered. */
    public int admitted() {
        return admitted.get();
    }

    /**
     * Waits (after {@link #beginDrain()}) until every admitted request has been answered.
     * @return false when {@code timeoutNanos} passed first
     */
    public boolean awaitAdmittedDone(long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        synchronized (drained) {
            while (admitted.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(drained, left);
            }
            return true;
        }
    }
}
