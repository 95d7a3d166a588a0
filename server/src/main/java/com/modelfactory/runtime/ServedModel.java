package com.modelfactory.runtime;

import com.modelfactory.runtime.batching.Batcher;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.image.ImagePreprocessor;
import java.util.List;
import java.util.Map;

/**
 * The one model this process serves, with everything the HTTP layer needs to know about it.
 *
 * @param images        turns images into the model's input, or null when the model cannot take images
 * @param imageProblem  why /predict cannot take an image (null when it can)
 * @param description   what GET /model reports (format, source, detection reason, timings...)
 */
public record ServedModel(String name, String version, LoadedModel model, Batcher batcher,
                          ImagePreprocessor images, String imageProblem, List<String> labels,
                          Map<String, Object> description) {

    public Signature signature() {
        return model.signature();
    }
}
