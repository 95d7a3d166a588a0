package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.DetectionTensors;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.PostprocessRequest;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.serving.Inference;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.grpc.common.GrpcMessage;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ModelInfer through the serving core: admitted at once (UNAVAILABLE when loading, draining or full);
 * inflating, parsing and building the tensors run on a decode worker, as the REST routes' parsing does;
 * the response is built on the thread that finished the batch and written on the call's event loop.
 */
final class InferRpc {
    private final ServingState state;
    private final long maxMessageBytes;

    InferRpc(ServingState state, long maxMessageBytes) {
        this.state = state;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** What the decoder learnt that the response needs. */
    private record Request(String id, List<String> outputs, AnswerOptions answer) {
    }

    void call(GrpcCall call) {
        GrpcMessage message = call.message();
        InferenceService service;
        if (state.registry() == null) {
            service = state.service();
        } else { // many models: the request names the core (a compressed one is inflated here to read it)
            InferRequests.Target t = InferRequests.target(MessageCodec.read(message, maxMessageBytes,
                    "max_body_bytes / MAX_BODY_BYTES"));
            service = state.service(t.name(), t.version());
        }
        ModelInfo info = service.info();
        AtomicReference<Request> decoded = new AtomicReference<>();
        ModelTask task = info.task();
        CompletableFuture<Inference> result = service.run(model -> {
            ModelInferRequest r = InferRequests.parse(MessageCodec.read(message, maxMessageBytes,
                    "max_body_bytes / MAX_BODY_BYTES"));
            info.requireNamed(r.getModelName(), r.getModelVersion());
            long timeout = InferRequests.timeoutMicros(r);
            if (timeout > 0) {
                call.deadline(TimeUnit.MICROSECONDS.toNanos(timeout),
                        "the request's timeout parameter (" + timeout + " us)");
            }
            AnswerOptions answer = PostprocessRequest.options(task, InferRequests.answerParameters(r));
            List<String> outputs = InferRequests.outputs(r, model.signature(), answer != null);
            decoded.set(new Request(r.getId().isEmpty() ? UUID.randomUUID().toString() : r.getId(), outputs, answer));
            return InferRequests.inputs(r);
        });
        call.working(result);
        result.whenComplete((inference, error) -> {
            if (error != null) {
                call.fail(error);
                return;
            }
            try {
                Request r = decoded.get();
                Map<String, Tensor> outputs = r.answer() == null ? inference.outputs()
                        : DetectionTensors.of(task.answer(inference.outputs(), inference.frames(), r.answer()));
                call.respond(InferResponses.of(info.name(), info.version(), r.id(), outputs, r.outputs()));
            } catch (RuntimeException e) {
                call.fail(e);
            }
        });
    }
}
