package com.modelfactory.runtime;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.format.ModelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Finds the model to serve: the configured path, or the bundled default model. */
final class ModelLocator {
    private ModelLocator() {
    }

    /**
     * @param downloadFacts metrics of the download (bytes, seconds, retries) when the model was fetched
     */
    record Located(Path path, ModelFormat format, Map<String, Object> description, Map<String, Double> downloadFacts) {
    }

    static Located locate(RuntimeConfig config) throws ModelLoadException {
        Map<String, Object> d = new LinkedHashMap<>();
        String location = config.model().location();
        Path path;
        if (location == null) {
            path = DefaultModel.extract();
            d.put("source", "bundled default model");
        } else {
            path = Path.of(location);
            d.put("source", path.toAbsolutePath().toString());
        }
        if (!Files.exists(path)) {
            throw new ModelLoadException("model path " + path + " does not exist");
        }
        ModelFormat format = config.model().format() != null ? ModelFormat.fromId(config.model().format())
                : ModelFormat.ONNX;
        d.put("format_reason", config.model().format() != null ? "MODEL_FORMAT" : "default");
        return new Located(path, format, d, Map.of());
    }
}
