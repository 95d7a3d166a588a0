package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import io.vertx.ext.web.RoutingContext;

/**
 * A request body as received, with its Content-Encoding checked on the event loop (an unknown coding is
 * 415 with Accept-Encoding saying what is taken) and inflated only when {@link #bytes()} is called, on a
 * decode worker, with the body limit applied to the inflated size.
 */
final class RequestBody {
    private final byte[] raw;
    private final ContentCoding coding;
    private final long limit;

    private RequestBody(byte[] raw, ContentCoding coding, long limit) {
        this.raw = raw;
        this.coding = coding;
        this.limit = limit;
    }

    static RequestBody of(RoutingContext ctx, long limit) {
        ContentCoding coding;
        try {
            coding = ContentCoding.ofRequest(ctx.request().getHeader("Content-Encoding"));
        } catch (ServingException e) {
            ctx.response().putHeader("Accept-Encoding", ContentCoding.ACCEPTED);
            throw e;
        }
        return new RequestBody(bytesOf(ctx.body().buffer()), coding, limit);
    }

    /**
     * The body's bytes: its own array when the body handler sized the buffer to the Content-Length (it is
     * read, never written, after this), else a copy. Vert.x preallocates at most 64 KiB (so a false
     * Content-Length cannot make it allocate more): larger bodies grow their buffer and are copied.
     */
    static byte[] bytesOf(io.vertx.core.buffer.Buffer body) {
        if (body == null) {
            return new byte[0];
        }
        io.netty.buffer.ByteBuf buf = ((io.vertx.core.internal.buffer.BufferInternal) body).getByteBuf();
        if (buf.hasArray() && buf.arrayOffset() == 0 && buf.readerIndex() == 0
                && buf.array().length == buf.readableBytes()) {
            return buf.array();
        }
        return body.getBytes();
    }

    /** The body, inflated when it was sent compressed. */
    byte[] bytes() {
        return coding.inflate(raw, limit);
    }
}
