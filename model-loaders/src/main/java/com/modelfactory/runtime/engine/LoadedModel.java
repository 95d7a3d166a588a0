package com.modelfactory.runtime.engine;

import java.util.Map;

/**
 * A model loaded into an engine: its signature, what to report about it, and predictors to run it.
 * What {@link Engines#load} returns is the seam's wrapper around the engine's own model: it checks
 * every batch against the signature, returns the signature's outputs in order and reports one engine
 * name, so engines implement none of that themselves.
 */
public interface LoadedModel extends AutoCloseable {

    Signature signature();

    /**
     * The runtime engine that computes ("onnxruntime", "pytorch", "tensorflow"): the {@link Engine#name()}
     * of the engine that loaded it, whatever format it came from (a Keras H5 model runs on "tensorflow").
     */
    String engine();

    /** The device the model actually runs on ("cpu", "cuda:0"). */
    String device();

    /** Engine-specific facts for GET /model (versions, all SavedModel signatures, the loader, ...). */
    default Map<String, Object> details() {
        return Map.of();
    }

    /**
     * The model's own key/value metadata (ONNX metadata_props: Ultralytics writes task, names, imgsz and
     * stride there), empty when the format has none. Read by the server to recognise the model's task.
     */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /**
     * How each input is checked ({@link InputValidation}); inputs not named are checked exactly. Engines
     * whose signature is partly a default (TorchScript states no datatypes, takes Python scalars) relax it.
     */
    default Map<String, InputValidation.Rule> inputRules() {
        return Map.of();
    }

    /**
     * For tabular models (PMML, ONNX-ML classifiers and regressors): the fields records carry and what each
     * output column means; empty for tensor models.
     */
    default java.util.Optional<TabularSchema> tabular() {
        return java.util.Optional.empty();
    }

    /** A new predictor for one worker thread; close it when the thread ends. */
    Predictor newPredictor();

    @Override
    void close();
}
