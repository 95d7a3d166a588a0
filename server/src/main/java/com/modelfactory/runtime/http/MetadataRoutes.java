package com.modelfactory.runtime.http;

import com.modelfactory.runtime.ServedModel;
import com.modelfactory.runtime.ServingState;
import com.modelfactory.runtime.engine.TensorSpec;
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
        HealthRoutes.json(ctx, 200, new JsonObject().put("name", SERVER_NAME).put("version", SERVER_VERSION)
                .put("extensions", new JsonArray()));
    }

    void modelMetadata(RoutingContext ctx) {
        ServedModel m = find(ctx);
        if (m == null) {
            return;
        }
        JsonObject body = new JsonObject().put("name", m.name()).put("versions", new JsonArray().add(m.version()))
                .put("platform", platform(m)).put("inputs", tensors(m.signature().inputs()))
                .put("outputs", tensors(m.signature().outputs()));
        HealthRoutes.json(ctx, 200, body);
    }

    void modelReady(RoutingContext ctx) {
        ServedModel m = find(ctx);
        if (m != null) {
            boolean ready = state.ready();
            HealthRoutes.json(ctx, ready ? 200 : 503, new JsonObject().put("name", m.name()).put("ready", ready));
        }
    }

    void model(RoutingContext ctx) {
        ServedModel m = state.model();
        if (m == null) {
            HealthRoutes.json(ctx, 503, new JsonObject().put("error", "the model is still loading"));
            return;
        }
        JsonObject body = new JsonObject(m.description());
        body.put("name", m.name()).put("engine", m.model().engine()).put("device", m.model().device());
        JsonObject sig = new JsonObject().put("inputs", tensors(m.signature().inputs()))
                .put("outputs", tensors(m.signature().outputs())).put("batched", m.signature().batched())
                .put("max_batch", m.signature().maxBatch());
        body.put("signature", sig);
        body.put("preprocessing", m.images() != null ? new JsonObject(m.images().spec().describe())
                : new JsonObject().put("images", "not accepted: " + m.imageProblem()));
        body.put("engine_details", new JsonObject(m.model().details()));
        var b = m.batcher().settings();
        body.put("batching", new JsonObject().put("max_batch_size", b.maxBatchSize())
                .put("max_batch_delay_ms", b.maxBatchDelayNanos() / 1_000_000.0).put("queue_capacity", b.queueCapacity())
                .put("instances", b.instances()).put("request_timeout_ms", b.requestTimeoutMs()));
        HealthRoutes.json(ctx, 200, body);
    }

    /** The served model if the path names it (and a version it has), else a 404 already sent. */
    ServedModel find(RoutingContext ctx) {
        ServedModel m = state.model();
        if (m == null) {
            ctx.fail(new HttpException(503, "the model is still loading"));
            return null;
        }
        return namesMatch(ctx, m) ? m : null;
    }

    /** Whether the path's {name} (and {version}, if given) name the served model; else fails with 404. */
    static boolean namesMatch(RoutingContext ctx, ServedModel m) {
        String name = ctx.pathParam("name");
        String version = ctx.pathParam("version");
        if (!m.name().equals(name)) {
            ctx.fail(new HttpException(404, "unknown model '" + name + "'; this server serves '" + m.name() + "'"));
            return false;
        }
        if (version != null && !version.equals(m.version())) {
            ctx.fail(new HttpException(404, "model '" + name + "' has no version '" + version + "'; it has '"
                    + m.version() + "'"));
            return false;
        }
        return true;
    }

    /** KServe/Triton platform names, from the detected format. */
    static String platform(ServedModel m) {
        return switch (String.valueOf(m.description().get("format"))) {
            case "onnx" -> "onnxruntime_onnx";
            case "torchscript" -> "pytorch_torchscript";
            case "tf_savedmodel" -> "tensorflow_savedmodel";
            case "tf_frozen_graph" -> "tensorflow_graphdef";
            case "tf_checkpoint" -> "tensorflow_checkpoint";
            case "keras_h5" -> "tensorflow_keras_h5";
            default -> m.model().engine();
        };
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
