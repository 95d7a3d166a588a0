package com.modelfactory.runtime.keras;

/** One output of one call of a layer: the Keras ("layer", node_index, tensor_index) triple. */
record TensorRef(String layer, int node, int tensor) {
    @Override
    public String toString() {
        return layer + "[" + node + "][" + tensor + "]";
    }
}
