package com.modelfactory.runtime.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Requests waiting for a batch, and how workers take them: the oldest live request, then queued
 * requests of the same shape in queue order until {@link BatchPolicy} says the batch is complete.
 *
 * <p>One deque under one lock rather than a BlockingQueue: a worker must be able to take matching
 * requests from the middle and leave the others in their place, so no request of another shape is
 * ever requeued. The queue has no bound of its own: admission in front of it bounds every request
 * from acceptance to answer, so nothing here can refuse.
 */
public final class RequestQueue {
    private final BatchPolicy policy;
    private final int workers;
    private final IntSupplier inFlight;
    private final BatchObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Idle workers wait each on its own condition, one woken per request; workers filling a batch wait on
     * {@code more}. One condition for both woke every worker at every request: at one client on 2 cores the
     * second worker's wake-up competed for a core with the thread the request was handed to.
     * Idle workers are kept the most recently idle first: a new request wakes that one, so at low load one worker
     * serves request after request with its caches warm and the others stay parked. Waking the longest idle
     * (a Condition's order) made two workers take turns: the tiny CNN at one client ran 2,254 req/s on two
     * workers against 2,967 on one (benchmarks/results/2026-12-07-layout.md).
     */
    private final ArrayDeque<Condition> idleWorkers = new ArrayDeque<>();
    private final ThreadLocal<Condition> ownCondition = ThreadLocal.withInitial(() -> lock.newCondition());
    private final Condition more = lock.newCondition();
    private int gathering;
    private final ArrayDeque<QueuedRequest> queue = new ArrayDeque<>();
    private int executing;
    /** Requests taken into a batch (gathering or running) and not yet answered. */
    private int held;
    private boolean closed;

    /**
     * @param inFlight requests accepted and not yet answered, however far they got (a batch waits for
     *                 company only while some of them are not yet queued: {@link BatchPolicy#waitForMore})
     */
    public RequestQueue(BatchPolicy policy, int workers, IntSupplier inFlight, BatchObserver observer) {
        this.policy = policy;
        this.workers = workers;
        this.inFlight = inFlight;
        this.observer = observer;
    }

    public BatchPolicy policy() {
        return policy;
    }

    /** Queues a request for the next batch that matches it; after {@link #close()} it fails at once. */
    public void add(QueuedRequest r) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the request queue is closed");
            }
            queue.addLast(r);
            if (gathering > 0) {
                more.signalAll();
            }
            wakeOne();
        } finally {
            lock.unlock();
        }
    }

    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until a batch is ready and returns it (the caller runs it, then calls {@link #batchDone()});
     * an empty list once the queue is closed.
     */
    List<QueuedRequest> takeBatch() throws InterruptedException {
        List<QueuedRequest> batch = new ArrayList<>();
        lock.lockInterruptibly();
        try {
            QueuedRequest first = awaitFirst();
            if (first == null) {
                return batch;
            }
            batch.add(first);
            held++;
            int cap = policy.cap(first.items + queuedItems(), workers - executing);
            long until = System.nanoTime() + policy.maxDelayNanos();
            int items = gather(batch, first, cap);
            while (policy.waitForMore(items, cap, onTheWay(), until - System.nanoTime()) && !closed) {
                gathering++;
                try {
                    more.awaitNanos(until - System.nanoTime());
                } finally {
                    gathering--;
                }
                items = gather(batch, first, cap);
            }
            executing++;
            if (!queue.isEmpty()) {
                wakeOne(); // what this batch left (another shape, or over its share) is the next worker's
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Workers waiting for a request. */
    int idleWorkers() {
        lock.lock();
        try {
            return idleWorkers.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the most recently idle worker, if one is idle (the lock is held). */
    private void wakeOne() {
        Condition c = idleWorkers.poll();
        if (c != null) {
            c.signal();
        }
    }

    /** The oldest live request, waiting for one; null once closed. Dead ones are dropped on the way. */
    private QueuedRequest awaitFirst() throws InterruptedException {
        while (true) {
            while (queue.isEmpty()) {
                if (closed) {
                    return null;
                }
                Condition mine = ownCondition.get();
                idleWorkers.push(mine);
                try {
                    mine.await();
                } finally {
                    idleWorkers.remove(mine); // woken otherwise than by wakeOne (interrupt, spurious)
                }
            }
            QueuedRequest r = queue.pollFirst();
            long now = System.nanoTime();
            if (!r.abandoned() && !r.expired(now)) {
                observer.queueWait(now - r.enqueuedNanos);
                return r;
            }
            r.release();
        }
    }

    /** Moves same-shape requests that fit into the batch; drops dead ones. @return items in the batch */
    private int gather(List<QueuedRequest> batch, QueuedRequest first, int cap) {
        int items = 0;
        for (QueuedRequest r : batch) {
            items += r.items;
        }
        long now = System.nanoTime();
        for (Iterator<QueuedRequest> it = queue.iterator(); it.hasNext() && items < cap; ) {
            QueuedRequest r = it.next();
            if (r.abandoned() || r.expired(now)) {
                it.remove();
                r.release();
            } else if (r.shapeKey.equals(first.shapeKey) && items + r.items <= cap) {
                it.remove();
                observer.queueWait(now - r.enqueuedNanos);
                batch.add(r);
                held++;
                items += r.items;
            }
        }
        return items;
    }

    /** Requests accepted and neither queued nor in a batch: read or decoded right now, soon queued. */
    private int onTheWay() {
        return inFlight.getAsInt() - held - queue.size();
    }

    private int queuedItems() {
        int n = 0;
        for (QueuedRequest r : queue) {
            n += r.items;
        }
        return n;
    }

    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** A batch of {@code requests} taken with {@link #takeBatch()} has been answered. */
    void batchDone(int requests) {
        lock.lock();
        try {
            executing--;
            held -= requests;
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking requests and wakes the workers. @return the requests still queued, unanswered */
    public List<QueuedRequest> close() {
        lock.lock();
        try {
            closed = true;
            List<QueuedRequest> left = new ArrayList<>(queue);
            queue.clear();
            idleWorkers.forEach(Condition::signal);
            idleWorkers.clear();
            more.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
