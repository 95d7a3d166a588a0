package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Turns one image's output tensors into candidate boxes: the part of a detector that differs between
 * model families (output layout, box encoding, score formula). The runtime does the rest alike for
 * every family: confidence threshold, NMS, max detections, mapping back to the original image, labels.
 *
 * <p>Also the extension point for heads the runtime does not know: a jar with an implementation and a
 * {@code META-INF/services/com.modelfactory.runtime.answer.OutputDecoder} file, put in a
 * {@code decoders/} folder beside the model (or named by {@code decoder_path}), is found by
 * {@link java.util.ServiceLoader} and chosen by {@code decoder: <its name>}. Implementations must be
 * stateless or thread-safe: one instance decodes on every batch worker.
 */
public interface OutputDecoder {

    /** The name {@code decoder:} selects it by. */
    String name();

    /** DETECTION, or INSTANCE_SEGMENTATION for decoders that also give masks. */
    default Task task() {
        return Task.DETECTION;
    }

    /**
     * Why outputs of these shapes do not fit this decoder, naming the shapes, or null when they fit.
     * Asked once at start-up (a configured decoder that does not fit stops start-up).
     *
     * @param inputWidth  the network input's width (0 when it takes images at their own size)
     * @param inputHeight its height
     */
    String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight);

    /**
     * Adds the candidates of batch item {@code item} whose score is at least {@code conf}, in
     * network-input pixels ({@link Candidates#inputWidth()} x {@link Candidates#inputHeight()}).
     */
    void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out);

    /** False for end-to-end outputs whose boxes were suppressed in the graph already: no NMS then. */
    default boolean needsNms() {
        return true;
    }

    /** The class id of the first name in the class list (1 for the TF Object Detection API's label maps). */
    default int firstClassId() {
        return 0;
    }
}
