package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for the tensors a request is decoded into (images), handed back once the request's
 * batch has copied them, and reused. A decoded request waits in the queue until its batch runs:
 * MobileNetV2 at 32 clients holds ~32 of them, 600 KB each. On the heap they outlived young collections
 * and were promoted (a full collection every few hundred milliseconds); as plain direct buffers their
 * memory waited for a collection to be freed (peak RSS 450 MiB). Pooled, it is the memory in flight.
 *
 * <p>Only tensors decoded between {@link #begin()} and {@link #end()} on a thread are pooled (the
 * serving core brackets each request's decoding); elsewhere (warm-up, tools) they are heap tensors.
 */
final class InputBuffers {
    /** Free buffers kept for reuse beyond this are left to the collector. */
    private static final long MAX_RETAINED_BYTES = 64L << 20;
    /**
     * A buffer larger than this is not kept: an outsized request's (a 1,953-item JSON request decodes into
     * 24 MiB) would hold its memory for good, waiting for a request of exactly its size.
     */
    static final int MAX_POOLED_BUFFER = 8 << 20;

    private final Map<Integer, ConcurrentLinkedQueue<ByteBuffer>> free = new ConcurrentHashMap<>();
    private final AtomicLong retained = new AtomicLong();
    private final ThreadLocal<List<ByteBuffer>> scope = new ThreadLocal<>();

    Tensor allocate(DataType type, long[] shape) {
        List<ByteBuffer> issued = scope.get();
        long bytes = type.byteSize(shape);
        if (issued == null || bytes > Integer.MAX_VALUE) {
            return Tensor.allocateHeap(type, shape);
        }
        ByteBuffer b = take((int) bytes);
        issued.add(b);
        return new Tensor(type, shape, b);
    }

    /** From here on this thread's decoded tensors are pooled, until {@link #end()}. */
    void begin() {
        scope.set(new ArrayList<>(2));
    }

    /** @return the buffers this thread was given since {@link #begin()}, to hand back when done */
    List<ByteBuffer> end() {
        List<ByteBuffer> issued = scope.get();
        scope.remove();
        return issued == null ? List.of() : issued;
    }

    /** The buffers are free again (their tensors' contents are no longer needed). */
    void giveBack(List<ByteBuffer> buffers) {
        for (ByteBuffer b : buffers) {
            if (b.capacity() > MAX_POOLED_BUFFER) {
                continue; // freed with its ByteBuffer by the next collection
            }
            if (retained.addAndGet(b.capacity()) > MAX_RETAINED_BYTES) {
                retained.addAndGet(-b.capacity());
                continue;
            }
            free.computeIfAbsent(b.capacity(), k -> new ConcurrentLinkedQueue<>()).offer(b);
        }
    }

    private ByteBuffer take(int bytes) {
        ConcurrentLinkedQueue<ByteBuffer> q = free.get(bytes);
        ByteBuffer b = q == null ? null : q.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        retained.addAndGet(-bytes);
        return b.clear().order(ByteOrder.LITTLE_ENDIAN);
    }
}
