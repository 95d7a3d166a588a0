package com.modelfactory.runtime.format;

/** Model file formats the runtime recognises; {@link #servable()} says whether an engine can run it. */
public enum ModelFormat {
    ONNX("onnx", true),
    TORCHSCRIPT("torchscript", true),
    KERAS_H5("keras_h5", true),
    SAVED_MODEL("tf_savedmodel", true),
    FROZEN_GRAPH("tf_frozen_graph", true),
    TF_CHECKPOINT("tf_checkpoint", true),
    /** Keras 3 native `.keras` zip: recognised, not served. */
    KERAS_V3("keras_v3", false),
    /** A pickled PyTorch state_dict or whole model: needs Python to rebuild. */
    PYTORCH_PICKLE("pytorch_pickle", false),
    TFLITE("tflite", false),
    PMML("pmml", false);

    private final String id;
    private final boolean servable;

    ModelFormat(String id, boolean servable) {
        this.id = id;
        this.servable = servable;
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
