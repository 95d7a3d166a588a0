package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** POST /v2/models/{name}[/versions/{v}]/infer: Open Inference Protocol tensors in and out. */
final class InferRoute {
    private final HttpApi api;

    InferRoute(HttpApi api) {
        this.api = api;
    }

    void handle(RoutingContext ctx) {
        InferenceService service = api.state().service();
        ModelInfo info = service.info();
        info.requireNamed(ctx.pathParam("name"), ctx.pathParam("version"));
        String type = ctx.request().getHeader("Content-Type");
        // Any body but multipart is read as JSON: curl -d sends form-urlencoded by default.
        if (type != null && type.startsWith("multipart/")) {
            throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + type
                    + " is not supported here; send application/json Open Inference Protocol tensors");
        }
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        AtomicReference<TensorJson.InferRequest> parsed = new AtomicReference<>();
        api.respond(ctx, service, model -> {
            TensorJson.InferRequest req = TensorJson.parseInferRequest(body);
            checkOutputs(model.signature(), req.outputs());
            parsed.set(req);
            return req.inputs();
        }, outputs -> TensorJsonWriter.inferResponse(info.name(), info.version(), parsed.get().id(),
                select(outputs, parsed.get().outputs())));
    }

    private static void checkOutputs(Signature signature, List<String> wanted) {
        for (String out : wanted) {
            if (signature.output(out) == null) {
                throw ServingException.badInput("unknown output '" + out + "'; the model's outputs are "
                        + signature.outputs().stream().map(TensorSpec::name).toList());
            }
        }
    }

    private static Map<String, Tensor> select(Map<String, Tensor> outputs, List<String> wanted) {
        if (wanted.isEmpty()) {
            return outputs;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String w : wanted) {
            out.put(w, outputs.get(w));
        }
        return out;
    }
}
