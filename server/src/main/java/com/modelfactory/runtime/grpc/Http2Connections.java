package com.modelfactory.runtime.grpc;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 connections of the HTTP port (gRPC clients, h2c) and how they end on shutdown. An HTTP/2
 * connection multiplexes many calls, so HTTP/1.1's drain (close each connection after its response) would
 * cut the others off: instead each gets GOAWAY when the drain begins, the calls it already carries run to
 * their end, new ones go elsewhere (a gRPC client that retries gets UNAVAILABLE from a closed port), and the
 * connection closes when its last stream ends, or after {@code grace}.
 */
public final class Http2Connections {
    private final Duration grace;
    private final Map<HttpConnection, Boolean> open = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private volatile boolean draining;

    /** @param grace how long the calls of a connection may still run after its GOAWAY */
    public Http2Connections(Duration grace) {
        this.grace = grace;
    }

    public static boolean isHttp2(HttpConnection connection) {
        return connection instanceof io.vertx.core.http.impl.Http2ServerConnection;
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

    private void track(HttpConnection connection) {
        open.put(connection, Boolean.TRUE);
        connection.closeHandler(v -> {
            open.remove(connection);
            if (draining && open.isEmpty()) {
                allClosed.complete(null);
            }
        });
        if (draining) {
            goAway(connection);
        }
    }

    /** GOAWAY to every connection. @return completes when every HTTP/2 connection is closed */
    public CompletableFuture<Void> beginDrain() {
        draining = true;
        open.keySet().forEach(this::goAway);
        if (open.isEmpty()) {
            allClosed.complete(null);
        }
        return allClosed;
    }

    private void goAway(HttpConnection connection) {
        connection.shutdown(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
    }

    public int openConnections() {
        return open.size();
    }
}
