package com.modelfactory.runtime.engine;

import java.util.Map;

/** A model loaded into an engine: its signature, what to report about it, and predictors to run it. */
public interface LoadedModel extends AutoCloseable {

    Signature signature();

    /** The engine's name ("onnxruntime", "pytorch", "tensorflow"). */
    String engine();

    /** The device the model actually runs on ("cpu", "cuda:0"). */
    String device();

    /** Engine-specific facts for GET /model (versions, all SavedModel signatures, ...). */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** A new predictor for one worker thread; close it when the thread ends. */
    Predictor newPredictor();

    @Override
    void close();
}
