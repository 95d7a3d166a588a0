package com.modelfactory.runtime.http;

import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.DetectionTensors;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.PostprocessRequest;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.RequestedOutputs;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POST /v2/models/{name}[/versions/{v}]/infer: Open Inference Protocol tensors in and out, as JSON or
 * with the binary tensor data extension (inputs and outputs each either way), gzip/deflate bodies
 * accepted. Every response carries an id: the request's, or a new UUID.
 */
final class InferRoute {
    private final HttpApi api;

    InferRoute(HttpApi api) {
        this.api = api;
    }

    void handle(RoutingContext ctx) {
        InferenceService service = api.state().service(ctx.pathParam("name"), ctx.pathParam("version"));
        ModelInfo info = service.info();
        String type = ctx.request().getHeader("Content-Type");
        // Any body but multipart is read as JSON (curl -d sends form-urlencoded), or JSON + binary tail.
        if (type != null && type.startsWith("multipart/")) {
            throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + type
                    + " is not supported here; send application/json Open Inference Protocol tensors");
        }
        RequestBody body = RequestBody.of(ctx, api.maxBodyBytes());
        String headerLength = ctx.request().getHeader(BinaryTensors.HEADER);
        AtomicReference<TensorJson.InferRequest> parsed = new AtomicReference<>();
        ModelTask task = info.task();
        AtomicReference<AnswerOptions> answering = new AtomicReference<>();
        api.respond(ctx, service.run(model -> {
            TensorJson.InferRequest req = parse(model, body.bytes(), headerLength);
            AnswerOptions options = PostprocessRequest.options(task, req.answerParameters());
            RequestedOutputs.check(options != null ? PostprocessRequest.SIGNATURE : model.signature(), req.outputNames());
            parsed.set(req);
            answering.set(options);
            return req.inputs();
        }), r -> {
            TensorJson.InferRequest req = parsed.get();
            AnswerOptions options = answering.get();
            Map<String, Tensor> outputs = options == null ? r.outputs()
                    : DetectionTensors.of(task.answer(r.outputs(), r.frames(), options));
            String id = req.id() != null ? req.id() : UUID.randomUUID().toString();
            return InferResponse.render(info.name(), info.version(), id,
                    RequestedOutputs.select(outputs, req.outputNames()),
                    binaryOutputs(req));
        });
    }

    private static TensorJson.InferRequest parse(ModelInputs model, byte[] body, String headerLength) {
        int json = BinaryTensors.jsonLength(headerLength, body.length);
        if (json == 0 && headerLength != null) {
            return RawBinaryInput.request(model.signature(), body);
        }
        return TensorJson.parseInferRequest(body, json, model.imageInput());
    }

    /** Outputs named in the request follow their own binary_data; the rest binary_data_output. */
    private static java.util.function.Predicate<String> binaryOutputs(TensorJson.InferRequest req) {
        Map<String, Boolean> named = new LinkedHashMap<>();
        for (TensorJson.RequestedOutput o : req.outputs()) {
            named.put(o.name(), o.binary());
        }
        return name -> named.getOrDefault(name, req.binaryDataOutput());
    }
}
