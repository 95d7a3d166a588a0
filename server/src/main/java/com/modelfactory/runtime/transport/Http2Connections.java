package com.modelfactory.runtime.transport;

import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 connections (gRPC clients, h2c) and how they end on shutdown. An HTTP/2 connection multiplexes
 * many calls, so HTTP/1.1's drain (close each connection after its response) would cut the others off.
 * Instead each gets GOAWAY when the drain begins (two of them, see {@link Tracked#goAway}): the calls it
 * carries run to their end, new ones go elsewhere (a gRPC client that retries finds the port closed:
 * UNAVAILABLE), and the connection is closed here once it has had no stream for {@link #IDLE_GRACE}
 * (grpc-java leaves that to the server), or earlier by its client.
 *
 * <p>Not Vert.x's graceful shutdown: it closes the connection the instant its last stream ends, so the
 * client's last frames (WINDOW_UPDATE, PING) meet a closed socket; the grace lets them arrive first.
 * Every field of a connection's state is touched on that connection's event loop only.
 */
public final class Http2Connections {
    /** How long a connection may stay open without calls after GOAWAY before it is closed here. */
    static final Duration IDLE_GRACE = Duration.ofSeconds(1);
    /** How long the calls of a connection over its reset budget may still run. */
    static final Duration OVERRUN_GRACE = Duration.ofSeconds(30);
    private static final long ENHANCE_YOUR_CALM = 0xb;
    private static final Logger log = LoggerFactory.getLogger(Http2Connections.class);

    private final Vertx vertx;
    private final Duration idleTimeout;
    private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private volatile boolean draining;

    /**
     * @param idleTimeout how long a connection may move no byte at all: longer than a call may wait for its
     *                    answer (the HTTP port's own idle timeout is the short header timeout, meant for
     *                    sockets that never send a request; it is replaced on the HTTP/2 ones)
     */
    public Http2Connections(Vertx vertx, Duration idleTimeout) {
        this.vertx = vertx;
        this.idleTimeout = idleTimeout;
    }

    private static final class Tracked {
        final HttpConnection connection;
        final Context context;
        boolean goneAway;
        long idleSince = -1;

        Tracked(HttpConnection connection, Context context) {
            this.connection = connection;
            this.context = context;
        }

        void goAway() {
            if (goneAway) {
                return;
            }
            goneAway = true;
            if (!isHttp2(connection)) {
                connection.close(); // HTTP/1.1 on the gRPC port: only ever answered 415
                return;
            }
            // Two GOAWAYs, as gRPC servers do: the first (last stream 2^31-1) tells the client to open no more
            // streams while those already on their way are still read (and answered UNAVAILABLE); the second,
            // once a PING shows the client has seen the first, names the real last stream. With one GOAWAY, a
            // stream the client opened meanwhile is a protocol error to Netty, which then closes the
            // connection and every call on it.
            connection.goAway(0, Integer.MAX_VALUE);
            connection.ping(Buffer.buffer(new byte[8])).onSuccess(ack -> connection.goAway(0));
        }

        void closeIfIdle(long now) {
            if (activeStreams(connection) > 0) {
                idleSince = -1;
            } else if (idleSince < 0) {
                idleSince = now;
            } else if (now - idleSince >= IDLE_GRACE.toNanos()) {
                connection.close();
            }
        }
    }

    public static boolean isHttp2(HttpConnection connection) {
        return connection instanceof io.vertx.core.http.impl.Http2ServerConnection;
    }

    /** Streams in progress on an HTTP/2 connection, from Netty's own count (Vert.x has no public one). */
    private static int activeStreams(HttpConnection connection) {
        io.netty.channel.ChannelPipeline p = IdleTimeouts.pipeline(connection);
        Http2ConnectionHandler h = p == null ? null : p.get(Http2ConnectionHandler.class);
        return h == null ? 0 : h.connection().numActiveStreams();
    }

    /** For {@code HttpServer.connectionHandler}: HTTP/2 connections tracked here, the others to {@code http1}. */
    public Handler<HttpConnection> or(Handler<HttpConnection> http1) {
        return connection -> {
            if (isHttp2(connection)) {
                track(connection);
            } else {
                http1.handle(connection);
            }
        };
    }

    /** For a server whose every connection is tracked here (the gRPC port). */
    public Handler<HttpConnection> all() {
        return this::track;
    }

    private void track(HttpConnection connection) {
        IdleTimeouts.set(connection, idleTimeout);
        AcceptDeadline.claim(connection);
        Tracked t = new Tracked(connection, Vertx.currentContext());
        open.put(connection, t);
        limitResets(t);
        connection.closeHandler(v -> {
            open.remove(connection);
            if (draining && open.isEmpty()) {
                allClosed.complete(null);
            }
        });
        if (draining) {
            t.goAway();
        }
    }

    /**
     * Keeps a reset stream's error to that stream ({@link StreamErrorFilter}) and counts the client's
     * stream resets ({@link ResetBudget}); over its budget the connection gets GOAWAY
     * ENHANCE_YOUR_CALM naming the last stream it took, and closes once those end (or after {@link
     * #OVERRUN_GRACE}).
     */
    private void limitResets(Tracked t) {
        io.netty.channel.ChannelPipeline p = IdleTimeouts.pipeline(t.connection);
        Http2ConnectionHandler h = p == null ? null : p.get(Http2ConnectionHandler.class);
        if (h == null) {
            return; // not Vert.x's HTTP/2 implementation as known: Vert.x's own flat limit still applies
        }
        StreamErrorFilter.install(p);
        ResetBudget.install(h, () -> t.context.runOnContext(v -> {
            log.warn("HTTP/2 client {} reset more streams than its calls earn (rapid reset?): GOAWAY "
                    + "ENHANCE_YOUR_CALM, closing the connection once its calls end", t.connection.remoteAddress());
            t.goneAway = true;
            t.connection.goAway(ENHANCE_YOUR_CALM, -1, Buffer.buffer("too many stream resets"));
            t.connection.shutdown(OVERRUN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }));
    }

    /** GOAWAY to every connection. @return completes when every connection is closed */
    public CompletableFuture<Void> beginDrain() {
        draining = true;
        for (Tracked t : open.values()) {
            t.context.runOnContext(v -> t.goAway());
        }
        if (open.isEmpty()) {
            allClosed.complete(null);
        }
        DrainSweep.start(vertx, open.values(), t -> t.context, Tracked::closeIfIdle);
        return allClosed;
    }

    public int openConnections() {
        return open.size();
    }
}
