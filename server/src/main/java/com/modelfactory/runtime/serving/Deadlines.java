package com.modelfactory.runtime.serving;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Fails requests whose deadline passed before they were answered. Every request has the same timeout
 * from acceptance, so deadlines come in acceptance order: one thread sleeps until the oldest open
 * request's deadline and is never woken by a new one (a request accepted later expires later). A timer
 * per request (ScheduledThreadPoolExecutor) woke that thread at every admission at one client, each
 * new timer being the head of its queue: one more runnable thread beside the decoder being handed the
 * request, on a 2-core box.
 *
 * <p>An entry forgets its future when the request completes, so answered requests behind a slow one
 * cost a few bytes each until the slow one is answered or expires.
 */
final class Deadlines implements AutoCloseable {
    private static final class Entry {
        final long deadline;
        volatile CompletableFuture<?> future;

        Entry(long deadline, CompletableFuture<?> future) {
            this.deadline = deadline;
            this.future = future;
        }
    }

    private final ConcurrentLinkedQueue<Entry> open = new ConcurrentLinkedQueue<>();
    private final long timeoutNanos;
    private final Supplier<Throwable> expired;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean started;

    /** @param expired the failure an expired request completes with */
    Deadlines(long timeoutNanos, Supplier<Throwable> expired, String threadName) {
        this.timeoutNanos = timeoutNanos;
        this.expired = expired;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** Fails {@code future} at {@code deadline} (System.nanoTime) unless it completes first. */
    void track(CompletableFuture<?> future, long deadline) {
        if (!started) {
            start();
        }
        Entry e = new Entry(deadline, future);
        open.add(e);
        future.whenComplete((v, t) -> e.future = null);
    }

    /** The thread starts with the first request, as an executor's would. */
    private synchronized void start() {
        if (!started && !closed) {
            thread.start();
            started = true;
        }
    }

    private void run() {
        while (!closed) {
            long now = System.nanoTime();
            Entry head;
            while ((head = open.peek()) != null) {
                CompletableFuture<?> f = head.future;
                if (f != null && head.deadline - now > 0) {
                    break;
                }
                open.poll();
                if (f != null) {
                    f.completeExceptionally(expired.get());
                }
            }
            // Until the oldest open deadline; with none open, a request accepted from now on expires
            // no earlier than a timeout from now.
            long wait = head != null ? head.deadline - now : timeoutNanos;
            LockSupport.parkNanos(this, Math.max(wait, 1_000_000));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
