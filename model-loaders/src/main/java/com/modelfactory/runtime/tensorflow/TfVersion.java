package com.modelfactory.runtime.tensorflow;

import org.tensorflow.TensorFlow;

/** The version of the loaded libtensorflow, for GET /model. */
final class TfVersion {
    private TfVersion() {
    }

    static String get() {
        try {
            return TensorFlow.version();
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }
}
