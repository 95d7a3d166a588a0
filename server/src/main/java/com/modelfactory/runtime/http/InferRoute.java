package com.modelfactory.runtime.http;

import com.modelfactory.runtime.ServedModel;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.Tensor;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** POST /v2/models/{name}[/versions/{v}]/infer: Open Inference Protocol tensors in and out. */
final class InferRoute {
    private final HttpApi api;

    InferRoute(HttpApi api) {
        this.api = api;
    }

    void handle(RoutingContext ctx) {
        ServedModel model = api.modelOr503(ctx);
        if (model == null || !MetadataRoutes.namesMatch(ctx, model)) {
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        // Any body but multipart is read as JSON: curl -d sends form-urlencoded by default.
        if (type != null && type.startsWith("multipart/")) {
            ctx.fail(new HttpException(415, "Content-Type " + type + " is not supported here; send application/json "
                    + "Open Inference Protocol tensors"));
            return;
        }
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String[] id = new String[1];
        List<String>[] wanted = new List[1];
        api.respond(ctx, model, () -> {
            TensorJson.InferRequest req = TensorJson.parseInferRequest(body);
            id[0] = req.id();
            wanted[0] = req.outputs();
            for (String out : req.outputs()) {
                if (model.signature().output(out) == null) {
                    throw new InvalidInputException("unknown output '" + out + "'; the model's outputs are "
                            + model.signature().outputs().stream().map(t -> t.name()).toList());
                }
            }
            return req.inputs();
        }, outputs -> TensorJson.inferResponse(model.name(), model.version(), id[0], select(outputs, wanted[0])));
    }

    private static Map<String, Tensor> select(Map<String, Tensor> outputs, List<String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return outputs;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String w : wanted) {
            out.put(w, outputs.get(w));
        }
        return out;
    }
}
