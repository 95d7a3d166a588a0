package com.modelfactory.runtime.torch;

import ai.djl.pytorch.jni.JniUtils;
import com.modelfactory.runtime.engine.EngineEnvironment;
import com.modelfactory.runtime.engine.LoadOptions;
import java.nio.file.Path;

/**
 * Settings DJL reads once, when its engine first loads: so they are set programmatically before any
 * DJL class initialises. System properties the operator already set (-D) are left alone; DJL itself
 * reads its environment variables before system properties, so an ENGINE_CACHE_DIR in the environment
 * still wins over the one set here.
 */
final class DjlSetup {
    static final String OFFLINE = "ai.djl.offline";
    static final String TRACKING = "OPT_OUT_TRACKING";
    static final String CACHE = "ENGINE_CACHE_DIR";
    static final String DJL_CACHE = "DJL_CACHE_DIR";
    static final String THREADS = "ai.djl.pytorch.num_threads";
    /** Whether the intra-op thread count is the runtime's to set (the operator did not set it with -D). */
    private static boolean threadsOurs;

    private DjlSetup() {
    }

    static synchronized void prepare(LoadOptions options) {
        // The runtime talks to nothing but the model store: no model-zoo or native downloads, no pings.
        System.setProperty(OFFLINE, "true");
        System.setProperty(TRACKING, "true");
        if (unset(DJL_CACHE) && unset(CACHE)) {
            System.setProperty(CACHE, engineCache(options.environment()).toAbsolutePath().toString());
        }
        if (options.intraOpThreads() > 0 && (threadsOurs || unset(THREADS))) {
            System.setProperty(THREADS, Integer.toString(options.intraOpThreads()));
            threadsOurs = true;
        }
        if (options.interOpThreads() > 0 && unset("ai.djl.pytorch.num_interop_threads")) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(options.interOpThreads()));
        }
    }

    /**
     * DJL reads its thread property once, when the engine starts; a later load (start-up reloads a heavy
     * model with more threads, see the server's Threading) sets libtorch's intra-op pool directly.
     */
    static synchronized void applyThreads(LoadOptions options) {
        int wanted = options.intraOpThreads();
        if (threadsOurs && wanted > 0 && JniUtils.getNumThreads() != wanted) {
            JniUtils.setNumThreads(wanted);
        }
    }

    /** DJL_CACHE_DIR as configured (DJL puts engines there too), else the runtime's native cache. */
    static Path engineCache(EngineEnvironment environment) {
        return environment.djlCacheDir() != null ? environment.djlCacheDir() : environment.nativeRoot().resolve("djl");
    }

    private static boolean unset(String property) {
        return System.getProperty(property) == null;
    }
}
