package com.modelfactory.runtime.http;

import com.modelfactory.runtime.ServingState;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Liveness, readiness and the Prometheus scrape. */
final class HealthRoutes {
    private final ServingState state;
    private final RuntimeMetrics metrics;

    HealthRoutes(ServingState state, RuntimeMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
    }

    void live(RoutingContext ctx) {
        json(ctx, 200, new JsonObject().put("live", true));
    }

    void ready(RoutingContext ctx) {
        boolean ready = state.ready();
        String status = ready ? "ready" : state.draining() ? "shutting down" : "loading";
        json(ctx, ready ? 200 : 503, new JsonObject().put("ready", ready).put("status", status));
    }

    void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", RuntimeMetrics.CONTENT_TYPE).end(metrics.scrape());
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
