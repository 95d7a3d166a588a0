package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Server and model metadata: OIP v2 (GET /v2, /v2/models/{name}[/versions/{v}][/ready]) and GET /model. */
final class MetadataRoutes {
    static final String SERVER_NAME = "model-runtime";
    static final String SERVER_VERSION = versionOf();

    private final ServingState state;

    MetadataRoutes(ServingState state) {
        this.state = state;
    }

    private static String versionOf() {
        String v = MetadataRoutes.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    void server(RoutingContext ctx) {
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("name", SERVER_NAME)
                .put("version", SERVER_VERSION).put("extensions", new JsonArray()));
    }

    void modelMetadata(RoutingContext ctx) {
        ModelInfo m = named(ctx);
        JsonObject body = new JsonObject().put("name", m.name()).put("versions", new JsonArray().add(m.version()))
                .put("platform", m.platform()).put("inputs", tensors(m.signature().inputs()))
                .put("outputs", tensors(m.signature().outputs()));
        ErrorResponder.json(ctx.response(), 200, body);
    }

    void modelReady(RoutingContext ctx) {
        ModelInfo m = named(ctx);
        boolean ready = state.ready();
        ErrorResponder.json(ctx.response(), ready ? 200 : 503, new JsonObject().put("name", m.name()).put("ready", ready));
    }

    void model(RoutingContext ctx) {
        ModelInfo m = state.info();
        JsonObject body = m == null ? ModelDescription.starting(state) : ModelDescription.of(m, state);
        ErrorResponder.json(ctx.response(), 200, body);
    }

    /** The served model if the path names it (and a version it has); NOT_FOUND or UNAVAILABLE if not. */
    private ModelInfo named(RoutingContext ctx) {
        ModelInfo m = state.info();
        if (m == null) {
            throw ServingException.unavailable("the model is still loading; retry when /health/ready answers 200");
        }
        m.requireNamed(ctx.pathParam("name"), ctx.pathParam("version"));
        return m;
    }

    static JsonArray tensors(List<TensorSpec> specs) {
        JsonArray a = new JsonArray();
        for (TensorSpec t : specs) {
            JsonArray shape = new JsonArray();
            if (t.shapeKnown()) {
                for (long d : t.shape()) {
                    shape.add(d);
                }
            } else {
                shape.add(-1); // unknown rank (TorchScript without config): any shape is accepted
            }
            a.add(new JsonObject().put("name", t.name()).put("datatype", t.dataType().name()).put("shape", shape));
        }
        return a;
    }
}
