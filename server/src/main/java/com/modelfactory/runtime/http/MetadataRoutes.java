package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServerIdentity;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Server and model metadata: OIP v2 (GET /v2, /v2/models/{name}[/versions/{v}][/ready]) and GET /model. */
final class MetadataRoutes {
    /** The protocol extensions implemented, named as Triton names them: REST's own, then everyone's. */
    static final List<String> EXTENSIONS = java.util.stream.Stream.concat(java.util.stream.Stream.of(
            "binary_tensor_data"), ServerIdentity.EXTENSIONS.stream()).toList();
    /** What the image input also takes as a BYTES tensor (the image decoder's formats). */
    static final String IMAGE_FORMATS = "jpeg,png,bmp,gif,tiff,webp";

    private final ServingState state;

    MetadataRoutes(ServingState state) {
        this.state = state;
    }

    void server(RoutingContext ctx) {
        ErrorResponder.json(ctx.response(), 200, new JsonObject().put("name", ServerIdentity.NAME)
                .put("version", ServerIdentity.VERSION).put("extensions", new JsonArray(EXTENSIONS)));
    }

    void modelMetadata(RoutingContext ctx) {
        ModelInfo m = named(ctx);
        JsonObject body = new JsonObject().put("name", m.name()).put("versions", new JsonArray().add(m.version()))
                .put("platform", m.platform()).put("inputs", tensors(m.signature().inputs()))
                .put("outputs", tensors(m.signature().outputs()));
        JsonObject parameters = m.imageInput() != null ? encodedImageParameters(m.imageInput()) : new JsonObject();
        // string values, as the OIP schema's properties want them
        parameters.put("task", m.task().task().wireName()).put("decoder", m.task().decoderName())
                .put("task_reason", m.task().reason());
        body.put("parameters", parameters);
        if (m.task().tabular() != null) {
            body.put("fields", fields(m.task().tabular()));
        }
        ErrorResponder.json(ctx.response(), 200, body);
    }

    /**
     * A tabular model's fields (an extension beside the OIP metadata): per input its name, the model's type
     * and optype, the values it declares valid (PMML DataDictionary) and whether a record must carry it; per
     * output its role (predicted, probability of a label, probabilities by label, other).
     */
    static JsonObject fields(com.modelfactory.runtime.engine.TabularSchema s) {
        JsonArray inputs = new JsonArray();
        s.inputs().forEach(f -> inputs.add(new JsonObject().put("name", f.name()).put("type", f.type())
                .put("optype", f.optype()).put("values", new JsonArray(f.values())).put("required", f.required())));
        JsonArray outputs = new JsonArray();
        s.outputs().forEach(f -> {
            JsonObject o = new JsonObject().put("name", f.name()).put("role", f.role().name().toLowerCase(java.util.Locale.ROOT))
                    .put("type", f.type());
            if (f.label() != null) {
                o.put("label", f.label());
            }
            if (!f.labels().isEmpty()) {
                o.put("labels", new JsonArray(f.labels()));
            }
            outputs.add(o);
        });
        return new JsonObject().put("inputs", inputs).put("outputs", outputs).put("target", s.target())
                .put("classification", s.classification());
    }

    /**
     * Model metadata parameters (string values, as the OIP schema's model "properties" want them) that tell
     * a client the image input also takes one encoded image per batch item as a BYTES tensor.
     */
    static JsonObject encodedImageParameters(String input) {
        return new JsonObject().put("encoded_image_input", input).put("encoded_image_datatype", "BYTES")
                .put("encoded_image_shape", "[-1]").put("encoded_image_formats", IMAGE_FORMATS)
                .put("encoded_image_json", "base64");
    }

    void modelReady(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        boolean ready = state.ready(name, ctx.pathParam("version"));
        ErrorResponder.json(ctx.response(), ready ? 200 : 503, new JsonObject().put("name", name).put("ready", ready));
    }

    void model(RoutingContext ctx) {
        ModelInfo m = state.info();
        JsonObject body = m == null ? ModelDescription.starting(state) : ModelDescription.of(m, state);
        ErrorResponder.json(ctx.response(), 200, body);
    }

    /** The served model if the path names it (and a version it has); NOT_FOUND or UNAVAILABLE if not. */
    private ModelInfo named(RoutingContext ctx) {
        return named(state, ctx);
    }

    static ModelInfo named(ServingState state, RoutingContext ctx) {
        return state.info(ctx.pathParam("name"), ctx.pathParam("version"));
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
