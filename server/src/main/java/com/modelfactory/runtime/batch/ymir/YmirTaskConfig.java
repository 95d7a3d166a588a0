package com.modelfactory.runtime.batch.ymir;

import com.modelfactory.runtime.config.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YMIR's {@code /in/config.yaml} (../shared/YMIR.md section 5): the user's copy of infer-template.yaml
 * with the platform's reserved keys filled in. Turned into runtime settings: {@code gpu_id} -> device
 * ("" = cpu, else cuda:first id), {@code batch_size} -> max_batch_size (unless that is set too),
 * {@code model_params_path} -> the model (see {@link YmirModel}), {@code class_names} -> the labels of
 * the result; keys of model-config.yaml pass as they are; other keys (YMIR's own, other images') are
 * not used and are listed in the log.
 */
record YmirTaskConfig(List<String> classNames, List<String> modelParamsPath, String gpuId,
                      Map<String, Object> runtimeSettings, List<String> unused, Integer objectType) {
    private static final Logger log = LoggerFactory.getLogger(YmirTaskConfig.class);
    /** Keys YMIR sets or reads itself; consumed here or meaningless to the runtime. */
    private static final Set<String> YMIR_KEYS = Set.of("task_id", "gpu_id", "gpu_count", "class_names",
            "model_params_path", "run_infer", "run_mining", "run_training", "object_type", "shm_size", "batch_size",
            "pretrained_model_params", "export_format");

    static YmirTaskConfig read(Path file) throws IOException {
        Map<String, Object> doc = Files.isRegularFile(file) ? YamlFiles.read(file) : Map.of();
        if (doc.isEmpty()) {
            log.info("YMIR: {} is absent or empty; the runtime's own settings apply", file);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        List<String> unused = new ArrayList<>();
        doc.forEach((key, value) -> {
            if (Option.byKey(key) != null && !YMIR_KEYS.contains(key)) {
                settings.put(key, value);
            } else if (!YMIR_KEYS.contains(key)) {
                unused.add(key);
            }
        });
        Object batchSize = doc.get("batch_size");
        if (batchSize != null && !settings.containsKey("max_batch_size")) {
            settings.put("max_batch_size", batchSize);
        }
        String gpu = doc.containsKey("gpu_id") ? (doc.get("gpu_id") == null ? "" : doc.get("gpu_id").toString()) : null;
        if (!unused.isEmpty()) {
            log.info("YMIR: settings in {} this runtime does not use: {}", file, unused);
        }
        return new YmirTaskConfig(YamlFiles.strings(doc, "class_names"), YamlFiles.strings(doc, "model_params_path"),
                gpu, settings, unused, objectType(doc.get("object_type")));
    }

    /** object_type as an int; null when absent; a value that is no whole number is a configuration error. */
    private static Integer objectType(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new com.modelfactory.runtime.config.ConfigException("object_type in config.yaml must be an int "
                    + "(2 detection, 3 semantic segmentation, 4 instance segmentation), got '" + v + "'");
        }
    }

    /** The device gpu_id asks for; null when the file does not say. */
    String device() {
        if (gpuId == null) {
            return null;
        }
        String first = gpuId.split(",")[0].trim();
        return first.isEmpty() ? "cpu" : "cuda:" + first;
    }

    /** The runtime settings this task makes, keyed like model-config.yaml, for the loader's task layer. */
    Map<String, Object> layer(Path model) {
        Map<String, Object> layer = new LinkedHashMap<>(runtimeSettings);
        if (device() != null) {
            layer.put("device", device());
        }
        if (model != null) {
            layer.put("model", model.toString());
        }
        return layer;
    }
}
