package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;

/**
 * SavedModels from TF 1.x (graph + SignatureDefs only) and TF 2.x (tf.function, Keras export): both
 * load through the C API's LoadSessionFromSavedModel with tag "serve", which restores variables and
 * runs the init op; the served signature comes from the MetaGraphDef's SignatureDefs.
 */
final class SavedModelLoader {
    private static final Logger log = LoggerFactory.getLogger(SavedModelLoader.class);
    static final String TAG = "serve";
    static final String DEFAULT_SIGNATURE = "serving_default";

    private SavedModelLoader() {
    }

    static TfSessionModel load(LoadOptions options, TfDevices.Choice device) throws ModelLoadException {
        Path dir = modelDir(options);
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString()).withTags(TAG).withConfigProto(device.config()).load();
        } catch (RuntimeException e) {
            throw new ModelLoadException("TensorFlow could not load the SavedModel in " + dir + " with tag '" + TAG
                    + "': " + TfErrors.message(e), e);
        }
        try {
            MetaGraphDef meta = bundle.metaGraphDef();
            Map<String, SignatureDef> defs = meta.getSignatureDefMap();
            String key = options.signatureKey() != null ? options.signatureKey() : chooseDefault(defs);
            SignatureDef def = defs.get(key);
            if (def == null) {
                throw new ModelLoadException("the SavedModel in " + dir + " has no signature '" + key
                        + "'; it has " + defs.keySet() + " (set the 'signature' config key)");
            }
            GraphBinding binding = GraphBinding.of(key, def, options.declaredInputs(), options.declaredOutputs());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("format", "saved_model");
            details.put("path", dir.toString());
            details.put("tags", List.of(TAG));
            details.put("signature", key);
            Map<String, Object> all = new java.util.TreeMap<>();
            defs.forEach((k, v) -> {
                if (!k.startsWith("__")) { // __saved_model_init_op is plumbing, not a signature to serve
                    all.put(k, GraphBinding.describe(v));
                }
            });
            details.put("signatures", all);
            if (meta.hasMetaInfoDef()) {
                details.put("saved_with_tensorflow", meta.getMetaInfoDef().getTensorflowVersion());
            }
            log.info("SavedModel {} signature '{}' on {}: {}", dir, key, device.device(), binding.signature());
            return new TfSessionModel(bundle.session(), binding.signature(), binding.inputTensors(),
                    binding.outputTensors(), device.device(), details, List.of(bundle));
        } catch (ModelLoadException | RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** serving_default when present, else the only signature; several others and no default is an error. */
    private static String chooseDefault(Map<String, SignatureDef> defs) throws ModelLoadException {
        if (defs.containsKey(DEFAULT_SIGNATURE)) {
            return DEFAULT_SIGNATURE;
        }
        List<String> servable = defs.keySet().stream().filter(k -> !k.startsWith("__")).sorted().toList();
        if (servable.size() == 1) {
            return servable.get(0);
        }
        throw new ModelLoadException("the SavedModel has no '" + DEFAULT_SIGNATURE + "' signature; choose one of "
                + servable + " with the 'signature' config key");
    }

    /** The folder holding saved_model.pb (or that file itself): what detection chose, no version search. */
    static Path modelDir(LoadOptions options) throws ModelLoadException {
        Path p = options.modelPath();
        if (Files.isRegularFile(p) && p.getFileName().toString().startsWith("saved_model.pb")) {
            return p.getParent();
        }
        Path dir = options.modelFolder("SavedModel path");
        if (!Files.isRegularFile(dir.resolve("saved_model.pb")) && !Files.isRegularFile(dir.resolve("saved_model.pbtxt"))) {
            throw new ModelLoadException("no saved_model.pb (or saved_model.pbtxt) in " + dir
                    + " (version folders are chosen by detection, ModelLocator)");
        }
        return dir;
    }
}
