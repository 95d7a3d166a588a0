package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.transport.AcceptDeadline;
import com.modelfactory.runtime.transport.Http2Connections;
import com.modelfactory.runtime.transport.ListeningSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC-only port ({@code grpc_port}, default 8081; 0 = none): HTTP/2 cleartext with prior knowledge, as
 * gRPC clients connect, on the same event loops as the HTTP port. Its drain: the port stops accepting,
 * then every connection drains as {@link Http2Connections} says (GOAWAY, calls finish, the client closes).
 */
public final class GrpcListener {

    private final HttpServer server;
    private final Http2Connections connections;

    private GrpcListener(HttpServer server, Http2Connections connections) {
        this.server = server;
        this.connections = connections;
    }

    /** Opens the port (throws when it cannot); null when {@code grpc_port} is 0. */
    public static GrpcListener listen(Vertx vertx, GrpcEndpoint endpoint, RuntimeConfig config) {
        RuntimeConfig.ServerSettings s = config.server();
        if (s.grpcPort() == 0) {
            return null;
        }
        // Sockets that move no byte for this long are closed: it outlasts the longest wait for an answer.
        long idleMs = config.longestSilence().toMillis();
        HttpServerOptions options = GrpcEndpoint.http2(new HttpServerOptions()).setTcpNoDelay(true)
                .setIdleTimeout((int) idleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        if (s.tls() != null) {
            com.modelfactory.runtime.transport.TlsFiles.apply(options, s.tls());
        }
        Http2Connections connections = new Http2Connections(vertx, config.longestSilence());
        HttpServer server = vertx.createHttpServer(options).connectionHandler(connections.all()).requestHandler(endpoint)
                .listen(s.grpcPort(), s.host()).await();
        AcceptDeadline.install(vertx, server, s.headerTimeout());
        return new GrpcListener(server, connections);
    }

    public int port() {
        return server.actualPort();
    }

    /** New connections use these certificates from now on; open ones keep theirs. */
    public io.vertx.core.Future<Boolean> updateTls(io.vertx.core.net.ServerSSLOptions ssl) {
        return server.updateSSLOptions(ssl, true); // forced: the paths are the same, the files are new
    }

    /** Closes the port and sends GOAWAY. @return completes when every connection is closed */
    public CompletableFuture<Void> beginDrain() {
        ListeningSocket.stopAccepting(server);
        return connections.beginDrain();
    }

    public void close() {
        server.close().await();
    }
}
