package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.config.RuntimeConfig;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC-only port ({@code grpc_port}, default 8081; 0 = none): HTTP/2 cleartext with prior knowledge, as
 * gRPC clients connect, on the same event loops as the HTTP port. Its drain: the port stops accepting,
 * then every connection drains as {@link Http2Connections} says (GOAWAY, calls finish, the client closes).
 */
public final class GrpcListener {
    private static final Logger log = LoggerFactory.getLogger(GrpcListener.class);

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
        long idleMs = Math.min(Integer.MAX_VALUE, Math.max(s.headerTimeoutMs(), config.batching().requestTimeoutMs()) + 1000);
        HttpServerOptions options = GrpcEndpoint.http2(new HttpServerOptions()).setTcpNoDelay(true)
                .setIdleTimeout((int) idleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        Http2Connections connections = new Http2Connections(vertx);
        HttpServer server = vertx.createHttpServer(options).connectionHandler(connections.all()).requestHandler(endpoint)
                .listen(s.grpcPort(), s.host()).await();
        return new GrpcListener(server, connections);
    }

    public int port() {
        return server.actualPort();
    }

    /** Closes the port and sends GOAWAY. @return completes when every connection is closed */
    public CompletableFuture<Void> beginDrain() {
        stopAccepting();
        return connections.beginDrain();
    }

    /**
     * Closes the listening socket and nothing else (Vert.x's shutdown would close connections as their last
     * stream ends, see Http2Connections). Vert.x has no public call for it; this is http/ListeningSocket's
     * reflection, which is package-private there (the two could share one class). When it fails, new
     * connections get GOAWAY at once and the port closes at the end.
     */
    private void stopAccepting() {
        try {
            Object tcp = field(server, "tcpServer");
            @SuppressWarnings("unchecked")
            Future<Channel> bound = (Future<Channel>) field(tcp, "bindFuture");
            if (bound != null && bound.result() != null) {
                bound.result().close().syncUninterruptibly();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("could not close the gRPC listening socket early: {}", e.toString());
        }
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    public void close() {
        server.close().await();
    }
}
