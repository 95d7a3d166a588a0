package com.modelfactory.runtime.http;

import com.modelfactory.runtime.transport.IdleTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * A body whose framing the codec cannot parse (an invalid chunk size) fails after the request has
 * started, where Vert.x reports it to the request and closes the socket without a word. This handler,
 * right behind Netty's HTTP/1.1 decoder, answers such a request with a 400 JSON error before closing.
 *
 * <p>It also takes over the idle timeout: Vert.x's (no byte either way for {@code idleTimeout}) is set
 * short, for sockets that never send a byte and so never become a connection the guard sees; once one
 * does, an HTTP/1.1 connection is the {@link ConnectionGuard}'s (header, body and keep-alive timeouts),
 * so the short one goes (a request waiting on the engine moves no byte). Both reach into Vert.x's
 * connection implementation for the channel (no public API offers it).
 */
final class BodyFramingErrors extends ChannelInboundHandlerAdapter {
    private static final String DECODER = "httpDecoder";

    private BodyFramingErrors() {
    }

    /** Installs the handler on an HTTP/1.1 connection and hands its idle timeout to the guard. */
    static void install(HttpConnection connection) {
        io.netty.channel.ChannelPipeline pipeline = IdleTimeouts.pipeline(connection);
        if (pipeline == null || pipeline.get(DECODER) == null) {
            return; // not HTTP/1.1
        }
        if (pipeline.get("bodyFramingErrors") == null) {
            pipeline.addAfter(DECODER, "bodyFramingErrors", new BodyFramingErrors());
        }
        IdleTimeouts.remove(connection);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject o && !(msg instanceof HttpRequest) && o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            String cause = o.decoderResult().cause().getMessage();
            byte[] body = new JsonObject().put("error", "malformed request body framing"
                    + (cause == null ? "" : ": " + cause.lines().findFirst().orElse(""))).encode()
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuf response = Unpooled.copiedBuffer(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), body);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
