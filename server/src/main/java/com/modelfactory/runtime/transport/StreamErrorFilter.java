package com.modelfactory.runtime.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an HTTP/2 stream's error to its stream. When a client resets a call whose answer is already
 * queued for writing (a gRPC client cancelling on a deadline, a user abort), Netty fails the queued write
 * with a StreamException ("Stream closed before write could take place") on a void promise, which fires it
 * down the pipeline; Vert.x 5.0.12's {@code VertxHttp2ConnectionHandler.exceptionCaught} then closes the
 * whole connection, whatever the exception, without a GOAWAY, and every other call on it fails UNAVAILABLE
 * (issue 24: 28 of 300 calls; Vert.x also logs a NullPointerException from the writes it drops as it
 * closes). RFC 9113 section 5.4.2 makes a stream error the stream's business alone.
 *
 * <p>Here, first in the pipeline, a stream error of a stream that is already closed is dropped (there is
 * nobody to tell, and a RST_STREAM answering a RST_STREAM is forbidden); one of an open stream goes to
 * Netty's own handling, which resets that stream; anything else passes on to Vert.x as before. Netty's
 * report of the same symptom: https://github.com/netty/netty/issues/16888; Vert.x closes on every
 * exception in {@code exceptionCaught} up to 5.0.12 at least (checked in its bytecode).
 */
@ChannelHandler.Sharable
final class StreamErrorFilter extends ChannelInboundHandlerAdapter {
    static final StreamErrorFilter INSTANCE = new StreamErrorFilter();
    private static final Logger log = LoggerFactory.getLogger(StreamErrorFilter.class);

    private StreamErrorFilter() {
    }

    /** Puts the filter first in the pipeline of an HTTP/2 connection. */
    static void install(ChannelPipeline pipeline) {
        if (pipeline.get(StreamErrorFilter.class) == null) {
            pipeline.addFirst(INSTANCE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        Http2ConnectionHandler http2 = ctx.pipeline().get(Http2ConnectionHandler.class);
        if (!(e instanceof Http2Exception.StreamException streamError) || http2 == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        Http2Stream stream = http2.connection().stream(streamError.streamId());
        if (stream == null || stream.state() == Http2Stream.State.CLOSED) {
            log.debug("stream {} closed before its answer was written: {}", streamError.streamId(), e.getMessage());
        } else {
            http2.onError(ctx.pipeline().context(http2), false, streamError);
        }
    }
}
