package com.modelfactory.runtime.keras;

import java.util.List;

/**
 * A Keras model config reduced to a graph of layer calls: Sequential models are rewritten as the
 * equivalent chain, so one builder serves both.
 *
 * @param name    the model's name
 * @param layers  layers in config order
 * @param inputs  the model's input tensors (outputs of InputLayers)
 * @param outputs the model's output tensors
 */
record ModelSpec(String name, List<LayerSpec> layers, List<TensorRef> inputs, List<TensorRef> outputs) {
    ModelSpec {
        layers = List.copyOf(layers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    LayerSpec layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }
}
