package com.modelfactory.runtime.engine;

import java.util.Map;

/**
 * Runs batches on one model. Not required to be thread-safe: each worker thread takes its own
 * (the DJL rule), so engines whose sessions are thread-safe may share state behind it.
 */
public interface Predictor extends AutoCloseable {

    /**
     * Runs one batch. Inputs are keyed by the signature's input names; the result holds every output
     * of the signature in signature order. Native memory allocated for the call is freed before it returns.
     * The predictors of {@link Engines#load}'s models check the inputs and order the outputs; an engine's
     * own predictor may take inputs that fit its signature as given.
     *
     * @throws InvalidInputException when the tensors do not fit the model (wrong name, type or shape)
     * @throws InferenceException    when the engine fails on valid-looking input
     */
    Map<String, Tensor> predict(Map<String, Tensor> inputs);

    @Override
    void close();

    /**
     * A predictor over a thread-safe session shared by every worker (ONNX Runtime, TensorFlow): nothing
     * of its own to close, the session closes with the model.
     */
    static Predictor sharedSession(java.util.function.UnaryOperator<Map<String, Tensor>> run) {
        return new Predictor() {
            @Override
            public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                return run.apply(inputs);
            }

            @Override
            public void close() {
                // nothing per predictor
            }
        };
    }
}
