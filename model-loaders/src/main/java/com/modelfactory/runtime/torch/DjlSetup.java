package com.modelfactory.runtime.torch;

import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.NativeCache;
import java.nio.file.Path;

/**
 * Settings DJL reads once, when its engine first loads: so they are set programmatically before any
 * DJL class initialises. Values the operator already set (env or -D) are left alone.
 */
final class DjlSetup {
    static final String OFFLINE = "ai.djl.offline";
    static final String TRACKING = "OPT_OUT_TRACKING";
    static final String CACHE = "ENGINE_CACHE_DIR";

    private DjlSetup() {
    }

    static synchronized void prepare(LoadOptions options) {
        // The runtime talks to nothing but the model store: no model-zoo or native downloads, no pings.
        System.setProperty(OFFLINE, "true");
        System.setProperty(TRACKING, "true");
        if (unset("DJL_CACHE_DIR") && unset(CACHE)) {
            Path root = options.nativeCacheDir() != null ? options.nativeCacheDir() : NativeCache.defaultRoot();
            System.setProperty(CACHE, root.resolve("djl").toAbsolutePath().toString());
        }
        if (options.intraOpThreads() > 0 && unset("ai.djl.pytorch.num_threads")) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.intraOpThreads()));
        }
        if (options.interOpThreads() > 0 && unset("ai.djl.pytorch.num_interop_threads")) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(options.interOpThreads()));
        }
    }

    private static boolean unset(String key) {
        String env = System.getenv(key);
        return (env == null || env.isBlank()) && System.getProperty(key) == null;
    }
}
