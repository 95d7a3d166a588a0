package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.NativeCache;
import java.nio.file.Path;

/**
 * TensorFlow Java loads libtensorflow through JavaCPP, which unpacks the ~680 MB of natives from the
 * tensorflow-core-native jar into its cache folder and reuses them on later starts when size and
 * timestamp match. By default that folder is ~/.javacpp/cache; we pin it under the runtime's own
 * native cache so the image can pre-extract it once at build time. Must run before the first TF class
 * touches native code; an operator's own {@code -Dorg.bytedeco.javacpp.cachedir} wins.
 */
public final class TfNatives {
    static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    private TfNatives() {
    }

    /** Points JavaCPP's cache at {@code root/javacpp} (root: the given folder or NativeCache.defaultRoot()). */
    public static synchronized void prepare(Path nativeCacheRoot) {
        if (System.getProperty(CACHE_DIR_PROPERTY) != null || System.getProperty("org.bytedeco.javacpp.cacheDir") != null) {
            return;
        }
        Path root = nativeCacheRoot != null ? nativeCacheRoot : NativeCache.defaultRoot();
        System.setProperty(CACHE_DIR_PROPERTY, root.resolve("javacpp").toAbsolutePath().toString());
    }
}
