package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.Engine;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Files;
import java.util.Set;

/**
 * TensorFlow Java 1.1.0 (libtensorflow 2.18) behind the engine seam: SavedModels, frozen GraphDefs
 * and TF1 checkpoints all become a graph and a session ({@link TfSessionModel}). The GPU build uses
 * the linux-x86_64-gpu native classifier (Maven profile -Dgpu); the session lets TF grow GPU memory.
 */
public final class TensorFlowEngine implements Engine {

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public String libraryClass() {
        return "org.tensorflow.TensorFlow";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.SAVED_MODEL, ModelFormat.FROZEN_GRAPH, ModelFormat.TF_CHECKPOINT);
    }

    @Override
    public LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        if (!Files.exists(options.modelPath())) {
            throw new ModelLoadException("model path " + options.modelPath() + " does not exist");
        }
        TfNatives.prepare(options.environment().nativeRoot());
        TfDevices.Choice device;
        try {
            device = TfDevices.choose(options);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new ModelLoadException("the TensorFlow native library could not be loaded: " + e.getMessage(), e);
        }
        return switch (format) {
            case SAVED_MODEL -> SavedModelLoader.load(options, device);
            case FROZEN_GRAPH -> FrozenGraphLoader.load(options, device);
            case TF_CHECKPOINT -> CheckpointLoader.load(options, device);
            default -> throw new ModelLoadException("the TensorFlow engine does not load " + format.id());
        };
    }
}
