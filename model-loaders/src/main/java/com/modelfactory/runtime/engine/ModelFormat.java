package com.modelfactory.runtime.engine;

/**
 * Model file formats the runtime recognises; {@link #servable()} says whether an engine can run it.
 * {@link #platform()} is the name the Open Inference Protocol metadata and Triton's model config report:
 * Triton's own platform names where Triton has one, so its clients recognise the model.
 */
public enum ModelFormat {
    ONNX("onnx", true, "onnxruntime_onnx"),
    TORCHSCRIPT("torchscript", true, "pytorch_libtorch"),
    KERAS_H5("keras_h5", true, "tensorflow_keras_h5"),
    SAVED_MODEL("tf_savedmodel", true, "tensorflow_savedmodel"),
    FROZEN_GRAPH("tf_frozen_graph", true, "tensorflow_graphdef"),
    TF_CHECKPOINT("tf_checkpoint", true, "tensorflow_checkpoint"),
    /** Keras 3 native `.keras` zip: recognised, not served. */
    KERAS_V3("keras_v3", false, "keras_v3"),
    /** A pickled PyTorch state_dict or whole model: needs Python to rebuild. */
    PYTORCH_PICKLE("pytorch_pickle", false, "pytorch_pickle"),
    TFLITE("tflite", false, "tflite"),
    PMML("pmml", true, "pmml");

    private final String id;
    private final boolean servable;
    private final String platform;

    ModelFormat(String id, boolean servable, String platform) {
        this.id = id;
        this.servable = servable;
        this.platform = platform;
    }

    /** The OIP/Triton platform name ("onnxruntime_onnx", "pytorch_libtorch", "tensorflow_savedmodel"...). */
    public String platform() {
        return platform;
    }

    /** The name used in config (MODEL_FORMAT) and reported by GET /model. */
    public String id() {
        return id;
    }

    public boolean servable() {
        return servable;
    }

    public static ModelFormat fromId(String id) {
        for (ModelFormat f : values()) {
            if (f.id.equalsIgnoreCase(id) || f.name().equalsIgnoreCase(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown model format '" + id + "'; expected one of "
                + java.util.Arrays.stream(values()).map(ModelFormat::id).toList());
    }
}
