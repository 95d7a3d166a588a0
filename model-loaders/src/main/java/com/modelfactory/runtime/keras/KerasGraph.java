package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;

/**
 * The TF graph rebuilt from a Keras model: for every signature input and output, the TF tensor
 * ("op_name:0") it maps to.
 */
record KerasGraph(List<Endpoint> inputs, List<Endpoint> outputs) {

    /** A signature tensor and the graph tensor behind it. */
    record Endpoint(TensorSpec spec, String graphTensor) {
    }

    KerasGraph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
