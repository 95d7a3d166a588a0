package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What was found and why.
 *
 * @param format    the detected (or overridden) format
 * @param modelPath what the engine gets: the .onnx/.pt/.h5/.pb file, the SavedModel folder (the one holding
 *                  saved_model.pb), or for {@link ModelFormat#TF_CHECKPOINT} the folder holding the checkpoint
 *                  files (the engine picks the step with {@link CheckpointSteps#latest})
 * @param reason    one line for logs and GET /model, e.g. "ONNX ModelProto (ir_version 7, 12 graph nodes)"
 */
public record Detection(ModelFormat format, Path modelPath, String reason) {
    public Detection {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(reason, "reason");
    }
}
