package com.modelfactory.runtime.keras;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * One layer of a model config, dialect-neutral.
 *
 * @param className Keras class name ("Dense", "Conv2D"; Keras 1 names already translated)
 * @param name      the layer's unique name
 * @param config    the layer's config object
 * @param calls     the layer's calls in this model: each the tensors it was applied to (empty for InputLayer)
 * @param nested    the model config when this layer is itself a model (Sequential/Functional), else null
 */
record LayerSpec(String className, String name, JsonObject config, List<List<TensorRef>> calls, ModelSpec nested) {
    LayerSpec {
        calls = List.copyOf(calls);
    }
}
