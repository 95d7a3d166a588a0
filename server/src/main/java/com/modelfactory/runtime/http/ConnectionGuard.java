package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.transport.AcceptDeadline;
import com.modelfactory.runtime.transport.DrainSweep;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Owns the life of every HTTP connection: how long a client may take to send a request, and how
 * connections end on shutdown.
 *
 * <ul>
 *   <li>A connection must complete a request's headers within {@code headerTimeout} of opening or of
 *       its previous response (this is also the keep-alive idle timeout), and the body within
 *       {@code bodyTimeout} of the headers; else it is answered 408 when a request started, and closed.
 *       Slow and idle clients cannot hold sockets (1,100 idle sockets used to exhaust 1,024 descriptors).</li>
 *   <li>From {@link #beginDrain()} on every response carries {@code Connection: close} and its connection
 *       closes after it, so keep-alive clients go elsewhere instead of sending into a closing socket; a
 *       connection with no request in progress is closed once idle for {@link #DRAIN_IDLE_GRACE} (a client
 *       that just got its answer sends its next request within microseconds, and gets a 503 with
 *       {@code Connection: close} rather than a reset).</li>
 * </ul>
 * Every field of a connection's state is touched on that connection's event loop only.
 */
public final class ConnectionGuard {
    /** How long an idle connection is kept after drain begins, for a request already on its way. */
    static final Duration DRAIN_IDLE_GRACE = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final ErrorResponder errors;
    private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private volatile boolean draining;

    public ConnectionGuard(Vertx vertx, Duration headerTimeout, Duration bodyTimeout, ErrorResponder errors) {
        this.vertx = vertx;
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
        this.errors = errors;
    }

    private final class Tracked {
        final HttpConnection connection;
        final Context context;
        int active;
        long idleSince = System.nanoTime();
        long timer = -1;

        Tracked(HttpConnection connection, Context context) {
            this.connection = connection;
            this.context = context;
        }

        /** Idle: the next request's headers must arrive within the header timeout. */
        void idle() {
            cancelTimer();
            idleSince = System.nanoTime();
            timer = vertx.setTimer(headerTimeout.toMillis(), id -> {
                if (active == 0) {
                    connection.close();
                }
            });
        }

        void cancelTimer() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }

        void closeIfIdle(long now) {
            if (active == 0 && now - idleSince >= DRAIN_IDLE_GRACE.toNanos()) {
                connection.close();
            }
        }
    }

    /** For {@code HttpServer.connectionHandler}: tracks each connection from open to close. */
    public Handler<HttpConnection> connections() {
        return connection -> {
            BodyFramingErrors.install(connection);
            AcceptDeadline.claim(connection);
            Tracked t = new Tracked(connection, Vertx.currentContext());
            open.put(connection, t);
            connection.closeHandler(v -> {
                t.cancelTimer();
                open.remove(connection);
                if (draining && open.isEmpty()) {
                    allClosed.complete(null);
                }
            });
            t.idle();
        };
    }

    /** The router's first handler: timers and drain behaviour around every request. */
    public void handle(RoutingContext ctx) {
        Tracked t = open.get(ctx.request().connection());
        if (t != null) {
            started(t, ctx);
        }
        ctx.next();
    }

    private void started(Tracked t, RoutingContext ctx) {
        t.active++;
        t.cancelTimer();
        long bodyTimer = ctx.request().isEnded() ? -1 : vertx.setTimer(bodyTimeout.toMillis(), id -> {
            if (!ctx.request().isEnded()) {
                errors.send(ctx, new ServingException(ServingException.Kind.CLIENT_TIMEOUT,
                        "the request body did not arrive within " + bodyTimeout.toMillis() + " ms (body_timeout_ms)"));
                t.connection.close();
            }
        });
        // Only a response that told the client "Connection: close" may close its connection: one written
        // just before the drain began told it nothing, and its next request may be on the way already.
        boolean[] toldToClose = {false};
        ctx.addHeadersEndHandler(v -> {
            if (draining) {
                ctx.response().putHeader("Connection", "close");
                toldToClose[0] = true;
            }
        });
        ctx.addEndHandler(end -> {
            if (bodyTimer >= 0) {
                vertx.cancelTimer(bodyTimer);
            }
            t.active--;
            if (toldToClose[0]) {
                t.connection.close();
            } else if (t.active == 0) {
                t.idle(); // during a drain the sweep closes it after the grace
            }
        });
    }

    /**
     * From now on responses close their connections, and idle connections close after the grace.
     * @return completes when every connection is closed
     */
    public CompletableFuture<Void> beginDrain() {
        draining = true;
        if (open.isEmpty()) {
            allClosed.complete(null);
        }
        DrainSweep.start(vertx, open.values(), t -> t.context, Tracked::closeIfIdle);
        return allClosed;
    }

    public boolean draining() {
        return draining;
    }

    public int openConnections() {
        return open.size();
    }
}
