package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The TensorFlow Serving REST API (also KServe's V1 protocol): POST /v1/models/{m}[/versions/{n}]:predict
 * in the row ("instances") or columnar ("inputs") format, GET /v1/models/{m}[/versions/{n}] (version
 * status) and .../metadata (the signature). Errors are {"error": "..."} like everywhere else.
 */
final class V1Routes {
    static final String DEFAULT_SIGNATURE = "serving_default";

    private final HttpApi api;
    private final ServingState state;

    V1Routes(HttpApi api, ServingState state) {
        this.api = api;
        this.state = state;
    }

    /** POST ...:predict */
    void predict(RoutingContext ctx) {
        InferenceService service = servable(ctx, () -> api.state().service(ctx.pathParam("name"), ctx.pathParam("version")));
        ModelInfo info = service.info();
        RequestBody body = RequestBody.of(ctx, api.maxBodyBytes());
        if (info.task().task() == com.modelfactory.runtime.answer.Task.TABULAR) {
            boolean[] records = new boolean[1];
            api.respond(ctx, service, model -> TabularJson.read(body.bytes(), info.signature(), records),
                    outputs -> HttpBody.json(records[0] ? TabularJson.predictions(info, outputs) : V1Json.outputs(outputs)));
            return;
        }
        AtomicBoolean rows = new AtomicBoolean();
        api.respond(ctx, service, model -> {
            byte[] bytes = body.bytes();
            return read(model, bytes, info, rows);
        }, outputs -> HttpBody.json(rows.get() ? V1Json.predictions(outputs) : V1Json.outputs(outputs)));
    }

    /** {"signature_name"?, "instances" | "inputs"}, one streaming pass over the top level. */
    private static Map<String, Tensor> read(ModelInputs model, byte[] body, ModelInfo info, AtomicBoolean rows) {
        try (JsonParser p = TensorJson.JSON.createParser(body)) {
            TensorJson.expect(p.nextToken() == JsonToken.START_OBJECT,
                    "the body must be a JSON object with \"instances\" or \"inputs\"");
            Map<String, Tensor> inputs = null;
            String signature = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "signature_name" -> {
                        TensorJson.expect(t == JsonToken.VALUE_STRING, "\"signature_name\" must be a string");
                        signature = p.getText();
                        checkSignature(signature, info); // before the inputs it names are read
                    }
                    case "instances", "inputs" -> {
                        TensorJson.expect(inputs == null, "expecting only one of 'inputs' or 'instances' keys to exist");
                        rows.set(field.equals("instances"));
                        long at = p.currentTokenLocation().getByteOffset();
                        inputs = rows.get() ? JsonRows.read(body, at, model, "\"instances\"") : JsonColumns.read(body, at, model);
                        p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            TensorJson.expectEnd(p);
            TensorJson.expect(inputs != null, "Missing 'inputs' or 'instances' key");
            checkSignature(signature, info);
            return inputs;
        } catch (IOException e) {
            throw ServingException.badInput("malformed JSON: " + Messages.firstLine(e.getMessage()));
        }
    }

    private static void checkSignature(String requested, ModelInfo info) {
        if (requested != null && !requested.isEmpty() && !requested.equals(signatureName(info))
                && !requested.equals(DEFAULT_SIGNATURE)) {
            throw ServingException.badInput("Serving signature name: \"" + requested + "\" not found in signature def");
        }
    }

    /** The served signature's name: a SavedModel's own key, else serving_default. */
    static String signatureName(ModelInfo info) {
        Object s = info.engineDetails().get("signature");
        return s instanceof String name ? name : DEFAULT_SIGNATURE;
    }

    /** GET /v1/models/{m}[/versions/{n}]: the version status. */
    void status(RoutingContext ctx) {
        ModelInfo m = servable(ctx, () -> state.info(ctx.pathParam("name"), ctx.pathParam("version")));
        String st = switch (state.phase()) {
            case READY -> "AVAILABLE";
            case DRAINING -> "UNLOADING";
            default -> "LOADING";
        };
        JsonObject version = new JsonObject().put("version", m.version()).put("state", st)
                .put("status", new JsonObject().put("error_code", "OK").put("error_message", ""));
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("model_version_status", new JsonArray().add(version)));
    }

    /** GET /v1/models/{m}[/versions/{n}]/metadata: the signature as TF Serving's SignatureDef JSON. */
    void metadata(RoutingContext ctx) {
        ModelInfo m = servable(ctx, () -> state.info(ctx.pathParam("name"), ctx.pathParam("version")));
        JsonObject signature = new JsonObject().put("inputs", tensorInfos(m.signature().inputs()))
                .put("outputs", tensorInfos(m.signature().outputs()))
                .put("method_name", "tensorflow/serving/predict").put("defaults", new JsonObject());
        JsonObject defs = new JsonObject().put("signature_def", new JsonObject().put(signatureName(m), signature));
        JsonObject body = new JsonObject()
                .put("model_spec", new JsonObject().put("name", m.name()).put("signature_name", "").put("version", m.version()))
                .put("metadata", new JsonObject().put("signature_def", defs));
        ErrorResponder.json(ctx.response(), 200, body);
    }

    /** GET /v1/models without a name. */
    void missingName(RoutingContext ctx) {
        throw ServingException.badInput("Missing model name in request.");
    }

    /** Anything else under /v1/, as TF Serving answers it. */
    void malformed(RoutingContext ctx) {
        throw ServingException.badInput("Malformed request: " + ctx.request().method() + " " + ctx.request().path()
                + "; the V1 routes are POST /v1/models/{m}[/versions/{n}]:predict, GET /v1/models/{m}[/versions/{n}]"
                + "[/metadata]");
    }

    /** What the path names, NOT_FOUND in TF Serving's words (its callers match on them). */
    private static <T> T servable(RoutingContext ctx, java.util.function.Supplier<T> lookup) {
        if (ctx.pathParam("label") != null) {
            throw ServingException.notFound("model '" + ctx.pathParam("name") + "' has no version labels; name a "
                    + "version or none");
        }
        try {
            return lookup.get();
        } catch (ServingException e) {
            if (e.kind() != ServingException.Kind.NOT_FOUND) {
                throw e;
            }
            // TF Serving's wording, which its callers match on
            throw ServingException.notFound("Servable not found for request: " + (ctx.pathParam("version") == null
                    ? "Latest(" + ctx.pathParam("name") + ")" : "Specific(" + ctx.pathParam("name") + ", "
                    + ctx.pathParam("version") + ")") + "; " + e.getMessage());
        }
    }

    private static JsonObject tensorInfos(List<TensorSpec> specs) {
        JsonObject o = new JsonObject();
        for (TensorSpec t : specs) {
            JsonArray dims = new JsonArray();
            if (t.shapeKnown()) {
                for (long d : t.shape()) {
                    dims.add(new JsonObject().put("size", Long.toString(d)).put("name", ""));
                }
            }
            o.put(t.name(), new JsonObject().put("dtype", tfType(t.dataType()))
                    .put("tensor_shape", new JsonObject().put("dim", dims).put("unknown_rank", !t.shapeKnown()))
                    .put("name", t.name()));
        }
        return o;
    }

    /** TensorFlow's DataType enum names. */
    static String tfType(DataType t) {
        return switch (t) {
            case FP32 -> "DT_FLOAT";
            case FP64 -> "DT_DOUBLE";
            case FP16 -> "DT_HALF";
            case BF16 -> "DT_BFLOAT16";
            case BYTES -> "DT_STRING";
            default -> "DT_" + t.name();
        };
    }
}
