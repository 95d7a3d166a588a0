package com.modelfactory.runtime.engine;

import java.nio.file.Path;
import java.util.Set;

/**
 * One inference engine. Implementations are found with {@link java.util.ServiceLoader}
 * (META-INF/services/com.modelfactory.runtime.engine.Engine), so the server never names an engine type.
 */
public interface Engine {

    String name();

    Set<ModelFormat> formats();

    /**
     * Loads the model. Fails with {@link ModelLoadException} naming the cause when the file is broken,
     * the device cannot be honoured or the model uses something the engine cannot run.
     */
    LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException;

    /**
     * Extracts (and loads once) this engine's native libraries into {@code nativeCacheDir} now, so an
     * image build can bake them in instead of every container start unpacking them. Engines whose
     * natives need no preparation keep this no-op. {@code device} says whether GPU libraries are wanted.
     */
    default void prepareNatives(Device device, Path nativeCacheDir) throws ModelLoadException {
    }

    /**
     * A class of the engine's library; when it is not on the class path (an image built with only some
     * engines) the engine is left out, and a model of its formats is refused naming that.
     */
    String libraryClass();
}
