package com.modelfactory.runtime.engine;

import java.nio.file.Path;

/**
 * What the runtime's configuration says about the machine the engines run on: read once, with the
 * rest of the configuration (the seam and the engines read no environment variables themselves).
 *
 * @param nativeCacheDir     {@code MODEL_RUNTIME_NATIVE_DIR}: where engines extract their native libraries
 *                           once per installation; null for {@link NativeCache#defaultRoot()}
 * @param cudaVisibleDevices {@code CUDA_VISIBLE_DEVICES} as the process has it, null when unset: "-1" (or
 *                           empty) hides every GPU, so {@code DEVICE=auto} does not try CUDA
 * @param djlCacheDir        {@code DJL_CACHE_DIR}: where DJL unpacks libtorch; null for
 *                           {@code <nativeCacheDir>/djl}
 */
public record EngineEnvironment(Path nativeCacheDir, String cudaVisibleDevices, Path djlCacheDir) {

    /** Nothing configured: the per-user native cache, GPUs as the driver shows them. */
    public static final EngineEnvironment DEFAULT = new EngineEnvironment(null, null, null);

    /** The native cache folder in effect. */
    public Path nativeRoot() {
        return nativeCacheDir != null ? nativeCacheDir : NativeCache.defaultRoot();
    }

    /** True when CUDA_VISIBLE_DEVICES hides every GPU. */
    public boolean gpusHidden() {
        return cudaVisibleDevices != null && (cudaVisibleDevices.isBlank() || cudaVisibleDevices.trim().equals("-1"));
    }
}
