package com.modelfactory.runtime.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything an engine needs to load one model, read once from the runtime's configuration.
 *
 * @param modelPath       what detection chose: the exact model file, or the root folder of a SavedModel or a
 *                        TF1 checkpoint (engines never search for their file again)
 * @param device          requested device
 * @param intraOpThreads  threads one inference may use inside the engine (0 = engine default)
 * @param interOpThreads  threads for parallel graph branches (0 = engine default)
 * @param signatureKey    SavedModel signature to serve (null = serving_default)
 * @param declaredInputs  input specs from config, overriding or completing what the file says (may be empty)
 * @param declaredOutputs output names (with optional specs) from config (may be empty)
 * @param environment     the machine as the configuration describes it: native cache, visible GPUs, DJL's
 *                        cache (null = {@link EngineEnvironment#DEFAULT})
 * @param engineOptions   engine session settings by name, passed through as given (ONNX Runtime session
 *                        config entries such as {@code session.intra_op.allow_spinning}); empty = the
 *                        engine's defaults. Engines ignore names they do not know.
 */
public record LoadOptions(Path modelPath, Device device, int intraOpThreads, int interOpThreads,
                          String signatureKey, List<TensorSpec> declaredInputs, List<TensorSpec> declaredOutputs,
                          EngineEnvironment environment, Map<String, String> engineOptions) {

    public LoadOptions {
        declaredInputs = declaredInputs == null ? List.of() : List.copyOf(declaredInputs);
        declaredOutputs = declaredOutputs == null ? List.of() : List.copyOf(declaredOutputs);
        environment = environment == null ? EngineEnvironment.DEFAULT : environment;
        engineOptions = engineOptions == null ? Map.of() : Map.copyOf(engineOptions);
    }

    /** Without engine options: the engine's session defaults. */
    public LoadOptions(Path modelPath, Device device, int intraOpThreads, int interOpThreads, String signatureKey,
                       List<TensorSpec> declaredInputs, List<TensorSpec> declaredOutputs, EngineEnvironment environment) {
        this(modelPath, device, intraOpThreads, interOpThreads, signatureKey, declaredInputs, declaredOutputs,
                environment, Map.of());
    }

    public static LoadOptions of(Path modelPath) {
        return new LoadOptions(modelPath, Device.AUTO, 0, 0, null, List.of(), List.of(), null);
    }

    public LoadOptions withDevice(Device d) {
        return new LoadOptions(modelPath, d, intraOpThreads, interOpThreads, signatureKey, declaredInputs,
                declaredOutputs, environment, engineOptions);
    }

    /** {@link #modelPath()} as the model file to load, or a load error saying a file was expected. */
    public Path modelFile(String what) throws ModelLoadException {
        if (Files.isRegularFile(modelPath)) {
            return modelPath;
        }
        throw new ModelLoadException(what + " " + modelPath + (Files.isDirectory(modelPath)
                ? " is a folder; the engine loads the model file detection chose in it (ModelLocator)"
                : " does not exist"));
    }

    /** {@link #modelPath()} as the model folder to load, or a load error saying a folder was expected. */
    public Path modelFolder(String what) throws ModelLoadException {
        if (Files.isDirectory(modelPath)) {
            return modelPath;
        }
        throw new ModelLoadException(what + " " + modelPath + (Files.exists(modelPath)
                ? " is not a folder" : " does not exist"));
    }

    public LoadOptions withModelPath(Path p) {
        return new LoadOptions(p, device, intraOpThreads, interOpThreads, signatureKey, declaredInputs,
                declaredOutputs, environment, engineOptions);
    }
}
