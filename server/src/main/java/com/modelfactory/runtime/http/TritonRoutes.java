package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelConfigView;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelRegistry;
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
        for (InferenceService s : state.services()) {
            stats.add(StatisticsJson.of(s.info(), s.statistics().snapshot()));
        }
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("model_stats", stats));
    }

    /** GET /v2/models/{name}[/versions/{v}]/stats */
    void modelStats(RoutingContext ctx) {
        InferenceService s = state.registry() != null ? state.service(ctx.pathParam("name"), ctx.pathParam("version"))
                : state.loaded();
        ModelInfo m = MetadataRoutes.named(state, ctx);
        JsonObject one = StatisticsJson.of(m, s.statistics().snapshot());
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("model_stats", new JsonArray().add(one)));
    }

    /** POST /v2/repository/index with an optional {"ready": bool}: a JSON array of models. */
    void index(RoutingContext ctx) {
        boolean readyOnly = readyOnly(ctx.body().buffer());
        JsonArray models = new JsonArray();
        for (ServingState.RepositoryEntry e : state.index()) {
            if (e.ready() || !readyOnly) {
                JsonObject model = new JsonObject().put("name", e.name()).put("state", e.state());
                if (e.version() != null) {
                    model.put("version", e.version());
                }
                if (e.reason() != null) {
                    model.put("reason", e.reason());
                }
                models.add(model);
            }
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
        ModelRegistry r = state.registry();
        if (r != null) {
            answerWhenDone(ctx, r.load(ctx.pathParam("name"), loadConfig(ctx.body().buffer())));
            return;
        }
        served(ctx);
        state.service(); // UNAVAILABLE once draining
        ctx.response().setStatusCode(200).end();
    }

    /** POST /v2/repository/models/{name}/unload: refused, the served model is the server's reason to run. */
    void unload(RoutingContext ctx) {
        ModelRegistry r = state.registry();
        if (r != null) {
            answerWhenDone(ctx, r.unload(ctx.pathParam("name")));
            return;
        }
        ModelInfo m = served(ctx);
        throw ServingException.badInput("model '" + m.name() + "' is the one model this server was started with and "
                + "cannot be unloaded; stop the server (SIGTERM drains it) instead");
    }

    /** 200 with no body once the repository is done; its failure as the error it is (404, 400, 503). */
    private static void answerWhenDone(RoutingContext ctx, java.util.concurrent.CompletableFuture<Void> work) {
        work.whenComplete((v, e) -> ctx.vertx().runOnContext(x -> {
            if (e == null) {
                ctx.response().setStatusCode(200).end();
            } else {
                ctx.fail(e); // ErrorResponder classifies it, CompletionException unwrapped
            }
        }));
    }

    /**
     * Triton's load body: {"parameters": {"config": "<JSON>"}} overrides the model's settings (keys of
     * model-config.yaml, e.g. {"max_batch_size": 4}); no body or no config loads it as the repository has it.
     */
    static java.util.Map<String, Object> loadConfig(Buffer body) {
        if (body == null || body.toString().isBlank()) {
            return java.util.Map.of();
        }
        try {
            JsonObject params = new JsonObject(body.toString()).getJsonObject("parameters");
            Object config = params == null ? null : params.getValue("config");
            if (config == null) {
                return java.util.Map.of();
            }
            JsonObject c = config instanceof String s ? new JsonObject(s) : (JsonObject) config;
            return c.getMap();
        } catch (DecodeException | ClassCastException e) {
            throw ServingException.badInput("the load body must be {\"parameters\": {\"config\": \"{...}\"}} with the "
                    + "config a JSON object of model-config.yaml settings");
        }
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
