package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.Tensor;
import java.util.Map;

/**
 * Turns one request's body into the model's input tensors. Runs on the service's decode workers, after
 * admission, so parsing and image decoding count against the queue and never block an event loop.
 * Throws {@link com.modelfactory.runtime.error.ServingException} for a bad body.
 */
@FunctionalInterface
public interface RequestDecoder {
    Map<String, Tensor> decode(ModelInputs model);
}
