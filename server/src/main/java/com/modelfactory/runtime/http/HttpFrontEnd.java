package com.modelfactory.runtime.http;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.grpc.GrpcEndpoint;
import com.modelfactory.runtime.grpc.Http2Connections;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The HTTP server on its port: routes, connection guard, codec errors, and how it stops. */
public final class HttpFrontEnd {
    private final HttpServer server;
    private final ConnectionGuard guard;
    private final Http2Connections http2;

    private HttpFrontEnd(HttpServer server, ConnectionGuard guard, Http2Connections http2) {
        this.server = server;
        this.guard = guard;
        this.http2 = http2;
    }

    /**
     * Opens the port (throws when it cannot); requests are answered from then on, 503 until ready. gRPC
     * requests (HTTP/2, content-type application/grpc) go to {@code grpc}, HTTP/2 connections are drained
     * by GOAWAY ({@link Http2Connections}), HTTP/1.1 ones by the guard.
     */
    public static HttpFrontEnd listen(Vertx vertx, ServingState state, RuntimeMetrics metrics, RuntimeConfig config,
                                      Path uploads, GrpcEndpoint grpc) {
        RuntimeConfig.ServerSettings settings = config.server();
        HttpApi api = new HttpApi(state, metrics, settings.maxBodyBytes(), uploads);
        ErrorResponder errors = new ErrorResponder(metrics);
        ConnectionGuard guard = new ConnectionGuard(vertx, Duration.ofMillis(settings.headerTimeoutMs()),
                Duration.ofMillis(settings.bodyTimeoutMs()), errors);
        // Form bodies are bounded by the body limit alone: Vert.x's own defaults (8 KB a field, 256
        // fields) answered a legitimate multipart upload with a 500.
        Http2Connections http2 = new Http2Connections(vertx);
        HttpServerOptions options = GrpcEndpoint.http2(new HttpServerOptions()).setTcpNoDelay(true)
                .setMaxFormAttributeSize(-1).setMaxFormFields(-1).setMaxFormBufferedBytes(-1)
                .setIdleTimeout((int) silentSocketTimeout(config).toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(http2.or(guard.connections()))
                .invalidRequestHandler(InvalidRequests.handler(errors))
                .requestHandler(grpc.or(api.router(vertx, guard)))
                .listen(settings.port(), settings.host())
                .await();
        return new HttpFrontEnd(server, guard, http2);
    }

    /**
     * A socket that sends nothing at all never becomes a connection the guard sees: Vert.x waits for its
     * first bytes to tell HTTP/1.1 from HTTP/2 (h2c, for gRPC on this port). Such sockets are closed when
     * no byte has moved for this long, which must outlast the longest wait for an answer (the request
     * timeout), since a request waiting for its batch moves no bytes either.
     */
    static Duration silentSocketTimeout(RuntimeConfig config) {
        long ms = Math.max(config.server().headerTimeoutMs(), config.batching().requestTimeoutMs()) + 1000;
        return Duration.ofMillis(Math.min(ms, Integer.MAX_VALUE));
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * The port stops accepting connections; responses close their connections from now on and idle
     * ones close shortly. Completes when every connection is closed.
     */
    public CompletableFuture<Void> beginDrain() {
        // The listening socket closes first: a connection still in its accept backlog when it closes is
        // reset, and no client has been told to reconnect yet (keep-alive clients are not connecting).
        ListeningSocket.stopAccepting(server);
        return CompletableFuture.allOf(guard.beginDrain(), http2.beginDrain());
    }

    /** Stops listening and closes what is left, giving responses in progress up to {@code grace}. */
    public void shutdown(Duration grace) {
        server.shutdown(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS).await();
    }

    public void close() {
        server.close().await();
    }
}
