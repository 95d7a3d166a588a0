package com.modelfactory.runtime.http;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
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
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("live", true));
    }

    void ready(RoutingContext ctx) {
        boolean ready = state.ready();
        String status = switch (state.phase()) {
            case READY -> "ready";
            case DRAINING -> "shutting down";
            case ACQUIRING -> "obtaining the model";
            case LOADING -> "loading";
        };
        ErrorResponder.json(ctx.response(), ready ? 200 : 503, new JsonObject().put("ready", ready).put("status", status));
    }

    void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", RuntimeMetrics.CONTENT_TYPE).end(metrics.scrape());
    }
}
