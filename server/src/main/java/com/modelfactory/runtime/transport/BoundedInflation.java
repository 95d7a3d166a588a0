package com.modelfactory.runtime.transport;

import com.modelfactory.runtime.error.ServingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Reads a decompressing stream to its end with a hard limit on the inflated size, growing the buffer
 * as the bytes arrive (a compressed bomb stops at the limit, never at the end of its output). Both
 * front ends inflate request bodies this way: HTTP's Content-Encoding and gRPC's grpc-encoding.
 */
public final class BoundedInflation {
    private static final int CHUNK = 64 * 1024;

    private BoundedInflation() {
    }

    /**
     * @param sizeHint  the compressed size, to size the first buffer
     * @param overLimit the error past {@code limit}
     * @return the inflated bytes, as a view of the buffer (position 0, limit = size)
     */
    public static ByteBuffer read(InputStream in, long limit, int sizeHint, Supplier<ServingException> overLimit)
            throws IOException {
        byte[] out = new byte[(int) Math.min(Math.min(limit, Integer.MAX_VALUE - 8), Math.max(CHUNK, 4L * sizeHint))];
        int size = 0;
        while (true) {
            if (size == out.length) {
                if (size >= limit) {
                    if (in.read() < 0) {
                        break;
                    }
                    throw overLimit.get();
                }
                out = Arrays.copyOf(out, (int) Math.min(Math.min(limit, Integer.MAX_VALUE - 8), 2L * out.length));
            }
            int n = in.read(out, size, out.length - size);
            if (n < 0) {
                break;
            }
            size += n;
        }
        return ByteBuffer.wrap(out, 0, size);
    }

    /** The bytes of {@link #read} as an array of exactly their size (copied only when the buffer is larger). */
    public static byte[] readArray(InputStream in, long limit, int sizeHint, Supplier<ServingException> overLimit)
            throws IOException {
        ByteBuffer b = read(in, limit, sizeHint, overLimit);
        return b.limit() == b.array().length ? b.array() : Arrays.copyOf(b.array(), b.limit());
    }
}
