package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelConfigView;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The Triton HTTP extensions tritonclient calls: model configuration, statistics and the model
 * repository (index, load, unload), answered as a server with one model loaded at start can: loading
 * the served model succeeds (it is loaded), unloading it is refused, any other model is unknown.
 */
final class TritonRoutes {
    private final ServingState state;

    TritonRoutes(ServingState state) {
        this.state = state;
    }

    /** GET /v2/models/{name}[/versions/{v}]/config */
    void config(RoutingContext ctx) {
        ModelInfo m = MetadataRoutes.named(state, ctx);
        ErrorResponder.json(ctx.response(), 200, ModelConfigJson.of(ModelConfigView.of(m), m.device()));
    }

    /** GET /v2/models/stats: every ready model (none while loading). */
    void allStats(RoutingContext ctx) {
        JsonArray stats = new JsonArray();
        InferenceService s = state.loaded();
        if (s != null && state.ready()) {
            stats.add(StatisticsJson.of(s.info(), s.statistics().snapshot()));
        }
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("model_stats", stats));
    }

    /** GET /v2/models/{name}[/versions/{v}]/stats */
    void modelStats(RoutingContext ctx) {
        ModelInfo m = MetadataRoutes.named(state, ctx);
        JsonObject one = StatisticsJson.of(m, state.loaded().statistics().snapshot());
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("model_stats", new JsonArray().add(one)));
    }

    /** POST /v2/repository/index with an optional {"ready": bool}: a JSON array of models. */
    void index(RoutingContext ctx) {
        boolean readyOnly = readyOnly(ctx.body().buffer());
        JsonArray models = new JsonArray();
        ServingState.RepositoryEntry e = state.repositoryEntry();
        if (e != null && (e.ready() || !readyOnly)) {
            JsonObject model = new JsonObject().put("name", e.name()).put("state", e.state());
            if (e.version() != null) {
                model.put("version", e.version());
            }
            if (e.reason() != null) {
                model.put("reason", e.reason());
            }
            models.add(model);
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", HttpBody.JSON).end(models.encode());
    }

    private static boolean readyOnly(Buffer body) {
        if (body == null || body.toString().isBlank()) {
            return false;
        }
        try {
            Object ready = new JsonObject(body.toString()).getValue("ready");
            if (ready != null && !(ready instanceof Boolean)) {
                throw ServingException.badInput("\"ready\" must be true or false");
            }
            return Boolean.TRUE.equals(ready);
        } catch (DecodeException | ClassCastException e) {
            throw ServingException.badInput("the repository index body must be a JSON object such as {\"ready\": true}");
        }
    }

    /** POST /v2/repository/models/{name}/load: the served model is loaded already (200); others are unknown. */
    void load(RoutingContext ctx) {
        served(ctx);
        state.service(); // UNAVAILABLE once draining
        ctx.response().setStatusCode(200).end();
    }

    /** POST /v2/repository/models/{name}/unload: refused, the served model is the server's reason to run. */
    void unload(RoutingContext ctx) {
        ModelInfo m = served(ctx);
        throw ServingException.badInput("model '" + m.name() + "' is the one model this server was started with and "
                + "cannot be unloaded; stop the server (SIGTERM drains it) instead");
    }

    private ModelInfo served(RoutingContext ctx) {
        ModelInfo m = state.info();
        if (m == null) {
            throw ServingException.unavailable("the model is still loading; retry when /health/ready answers 200");
        }
        m.requireNamed(ctx.pathParam("name"), null);
        return m;
    }
}
