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
        byte[] raw = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        return new RequestBody(raw, coding, limit);
    }

    /** The body, inflated when it was sent compressed. */
    byte[] bytes() {
        return coding.inflate(raw, limit);
    }
}
