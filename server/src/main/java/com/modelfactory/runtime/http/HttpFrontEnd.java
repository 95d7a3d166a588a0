package com.modelfactory.runtime.http;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.grpc.GrpcEndpoint;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.transport.AcceptDeadline;
import com.modelfactory.runtime.transport.Http2Connections;
import com.modelfactory.runtime.transport.ListeningSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
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
        return listen(vertx, state, metrics, config, uploads, grpc, com.modelfactory.runtime.auth.AccessControl.open());
    }

    /** As above, with bearer tokens checked on every route ({@code access}). */
    public static HttpFrontEnd listen(Vertx vertx, ServingState state, RuntimeMetrics metrics, RuntimeConfig config,
                                      Path uploads, GrpcEndpoint grpc, com.modelfactory.runtime.auth.AccessControl access) {
        RuntimeConfig.ServerSettings settings = config.server();
        HttpApi api = new HttpApi(state, metrics, settings.maxBodyBytes(), uploads, access, settings.accessLog(),
                settings.accessLogMaxPerSecond());
        ErrorResponder errors = new ErrorResponder(metrics);
        ConnectionGuard guard = new ConnectionGuard(vertx, settings.headerTimeout(), settings.bodyTimeout(), errors);
        // Form bodies are bounded by the body limit alone: Vert.x's own defaults (8 KB a field, 256
        // fields) answered a legitimate multipart upload with a 500.
        Http2Connections http2 = new Http2Connections(vertx, config.longestSilence());
        HttpServerOptions options = GrpcEndpoint.http2(new HttpServerOptions()).setTcpNoDelay(true)
                .setMaxFormAttributeSize(-1).setMaxFormFields(-1).setMaxFormBufferedBytes(-1)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.headerTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        if (settings.tls() != null) {
            com.modelfactory.runtime.transport.TlsFiles.apply(options, settings.tls());
        }
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(http2.or(guard.connections()))
                .invalidRequestHandler(InvalidRequests.handler(errors))
                .requestHandler(grpc.or(api.router(vertx, guard)))
                .listen(settings.port(), settings.host())
                .await();
        AcceptDeadline.install(vertx, server, settings.headerTimeout());
        return new HttpFrontEnd(server, guard, http2);
    }

    public int port() {
        return server.actualPort();
    }

    /** New connections use these certificates from now on; open ones keep theirs. */
    public io.vertx.core.Future<Boolean> updateTls(io.vertx.core.net.ServerSSLOptions ssl) {
        return server.updateSSLOptions(ssl, true); // forced: the paths are the same, the files are new
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

    public void close() {
        server.close().await();
    }
}
