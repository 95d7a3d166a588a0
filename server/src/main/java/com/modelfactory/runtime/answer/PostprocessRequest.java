package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import java.util.List;
import java.util.Map;

/**
 * Whether a v2 request (REST or gRPC) gets detections instead of the model's tensors: its
 * {@code postprocess} parameter, else the model's default ({@code postprocess} setting); with its
 * conf, iou and max_det parameters over the model's defaults.
 */
public final class PostprocessRequest {
    /** The outputs a post-processed answer has, for checking the outputs a request names. */
    public static final Signature SIGNATURE = new Signature(List.of(), List.of(
            new TensorSpec(DetectionTensors.NAMES.get(0), DataType.FP32, new long[] {-1, -1, 4}),
            new TensorSpec(DetectionTensors.NAMES.get(1), DataType.FP32, new long[] {-1, -1}),
            new TensorSpec(DetectionTensors.NAMES.get(2), DataType.FP32, new long[] {-1, -1}),
            new TensorSpec(DetectionTensors.NAMES.get(3), DataType.FP32, new long[] {-1})), true, 0);

    private PostprocessRequest() {
    }

    /** @return the options to answer with, or null when the request gets the model's tensors */
    public static AnswerOptions options(ModelTask task, Map<String, Object> parameters) {
        Object asked = parameters.get("postprocess");
        boolean post = asked instanceof Boolean b ? b : task.postprocess();
        if (!post) {
            return null;
        }
        if (!task.task().boxes()) {
            throw ServingException.badInput("parameter postprocess answers detections; this model's task is "
                    + task.task().wireName() + " (" + task.reason() + ")");
        }
        return task.defaults().with(parameters.get("conf"), parameters.get("iou"), parameters.get("max_det"), null);
    }
}
