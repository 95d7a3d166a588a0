package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.config.RuntimeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC-only port ({@code grpc_port}, default 8081; 0 = none): HTTP/2 cleartext with prior knowledge, as
 * gRPC clients connect, on the same event loops as the HTTP port. Its drain is Vert.x's graceful shutdown:
 * the port closes, every connection gets GOAWAY, calls in progress finish, connections close as they empty.
 */
public final class GrpcListener {
    private final HttpServer server;
    private final Duration drainTimeout;

    private GrpcListener(HttpServer server, Duration drainTimeout) {
        this.server = server;
        this.drainTimeout = drainTimeout;
    }

    /** Opens the port (throws when it cannot); null when {@code grpc_port} is 0. */
    public static GrpcListener listen(Vertx vertx, GrpcEndpoint endpoint, RuntimeConfig config) {
        RuntimeConfig.ServerSettings s = config.server();
        if (s.grpcPort() == 0) {
            return null;
        }
        // Sockets that move no byte for this long are closed: it outlasts the longest wait for an answer.
        long idleMs = Math.min(Integer.MAX_VALUE, Math.max(s.headerTimeoutMs(), config.batching().requestTimeoutMs()) + 1000);
        HttpServerOptions options = GrpcEndpoint.http2(new HttpServerOptions()).setTcpNoDelay(true)
                .setIdleTimeout((int) idleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        HttpServer server = vertx.createHttpServer(options).requestHandler(endpoint)
                .listen(s.grpcPort(), s.host()).await();
        return new GrpcListener(server, Duration.ofMillis(s.drainTimeoutMs()));
    }

    public int port() {
        return server.actualPort();
    }

    /** Closes the port and sends GOAWAY. @return completes when every connection is closed */
    public CompletableFuture<Void> beginDrain() {
        return server.shutdown(Math.max(1, drainTimeout.toMillis()), TimeUnit.MILLISECONDS)
                .toCompletionStage().toCompletableFuture();
    }

    public void close() {
        server.close().await();
    }
}
