package com.modelfactory.runtime.http;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The probes alone on a plain port of their own (HEALTH_PORT): kubelet probes need neither the
 * certificates nor the tokens the main ports ask for. Only liveness and readiness; everything else 404.
 */
public final class HealthPort {
    private final HttpServer server;

    private HealthPort(HttpServer server) {
        this.server = server;
    }

    /** Opens the port (throws when it cannot). */
    public static HealthPort listen(Vertx vertx, ServingState state, RuntimeMetrics metrics, String host, int port) {
        HealthRoutes health = new HealthRoutes(state, metrics);
        ErrorResponder errors = new ErrorResponder(metrics);
        Router router = Router.router(vertx);
        for (String prefix : new String[] {"", "/v2"}) {
            router.get(prefix + "/health/live").handler(health::live);
            router.get(prefix + "/health/ready").handler(health::ready);
        }
        router.route().failureHandler(errors::handle);
        router.errorHandler(404, ctx -> errors.send(ctx, VertxFailures.ofStatus(404,
                ctx.request().method() + " " + ctx.request().path() + " (the health port serves /health/live and "
                        + "/health/ready only)")));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(30))
                .requestHandler(router).listen(port, host).await();
        return new HealthPort(server);
    }

    public int port() {
        return server.actualPort();
    }

    public void close() {
        server.close().await();
    }
}
