package com.modelfactory.runtime.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's idle timeout of one connection (the IdleStateHandler it names "idle" in the channel's
 * pipeline), changed once the connection is known: the server-wide one is short, for sockets that never
 * send a byte. Vert.x has no public call for a per-connection timeout; this reaches into its connection
 * implementation for the channel.
 */
public final class IdleTimeouts {
    private static final String IDLE = "idle";

    private IdleTimeouts() {
    }

    /** The connection's channel pipeline, or null when Vert.x's implementation is not the expected one. */
    public static ChannelPipeline pipeline(HttpConnection connection) {
        return connection instanceof io.vertx.core.net.impl.ConnectionBase base ? base.channel().pipeline() : null;
    }

    /** No idle timeout on this connection any more (its owner has timers of its own). */
    public static void remove(HttpConnection connection) {
        ChannelPipeline p = pipeline(connection);
        if (p != null && p.get(IDLE) != null) {
            p.remove(IDLE);
        }
    }

    /** The connection closes after {@code timeout} without a byte either way. */
    public static void set(HttpConnection connection, Duration timeout) {
        ChannelPipeline p = pipeline(connection);
        if (p != null && p.get(IDLE) != null) {
            p.replace(IDLE, IDLE, new IdleStateHandler(0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }
}
