package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The Keras layer classes the engine can rebuild, and the precise refusal for those it cannot. */
final class LayerRegistry {
    private static final Map<String, LayerConverter> CONVERTERS;
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN",
            "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU", "TimeDistributed", "LSTMCell",
            "GRUCell", "SimpleRNNCell");
    private static final Set<String> PYTHON_CODE = Set.of("Lambda", "TFOpLambda", "SlicingOpLambda",
            "TensorFlowOpLayer");

    static {
        Map<String, LayerConverter> m = new TreeMap<>();
        CoreLayers.register(m);
        ConvolutionLayers.register(m);
        PoolingLayers.register(m);
        ReshapingLayers.register(m);
        MergeLayers.register(m);
        NormalizationLayers.register(m);
        ActivationLayers.register(m);
        LocallyConnectedLayers.register(m);
        CONVERTERS = Collections.unmodifiableMap(m);
    }

    private LayerRegistry() {
    }

    /** Every supported class name, including InputLayer and nested models, sorted. */
    static Set<String> supported() {
        Set<String> s = new java.util.TreeSet<>(CONVERTERS.keySet());
        s.add("InputLayer");
        s.addAll(ModelConfigParser.MODEL_CLASSES);
        return s;
    }

    static LayerConverter converterFor(LayerSpec layer) throws ModelLoadException {
        LayerConverter c = CONVERTERS.get(layer.className());
        if (c != null) {
            return c;
        }
        String id = "Keras layer '" + layer.name() + "' of class " + layer.className();
        if (PYTHON_CODE.contains(layer.className())) {
            throw new ModelLoadException(id + " cannot be loaded: it wraps Python code (a lambda or TF op "
                    + "call) that is not stored in the H5 file and cannot run without Python. Rewrite it with "
                    + "built-in Keras layers, or export the model as a SavedModel or ONNX. Supported layers: "
                    + supported());
        }
        if (RECURRENT.contains(layer.className())) {
            throw new ModelLoadException(id + " is not supported: recurrent layers (LSTM, GRU, SimpleRNN, "
                    + "Bidirectional, TimeDistributed) are not implemented yet; export the model as a SavedModel "
                    + "or ONNX instead. Supported layers: " + supported());
        }
        String why = layer.className().contains(">")
                ? "it is a custom layer registered in Python (package>name); its code is not in the H5 file"
                : "it is a custom layer or a Keras layer this engine does not implement";
        throw new ModelLoadException(id + " is not supported: " + why + ". Supported layers: " + supported());
    }
}
