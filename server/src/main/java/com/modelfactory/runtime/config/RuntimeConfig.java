package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The runtime's whole configuration, typed and validated once at start. */
public record RuntimeConfig(ModelSettings model, StoreSettings store, ServerSettings server,
                            BatchingSettings batching, ImageSettings image, List<String> warnings) {

    /**
     * @param nativeCacheDir     MODEL_RUNTIME_NATIVE_DIR, else the per-user native cache
     * @param cudaVisibleDevices CUDA_VISIBLE_DEVICES as the process has it (null when unset)
     * @param djlCacheDir        DJL_CACHE_DIR (null: under the native cache)
     */
    public record ModelSettings(String location, String name, String format, Device device, String signature,
                                List<TensorSpec> inputs, List<TensorSpec> outputs, Path labels,
                                int intraOpThreads, int interOpThreads, Path nativeCacheDir, Path configFile,
                                String cudaVisibleDevices, Path djlCacheDir) {
    }

    /** Where the model comes from when it is not a local path: the factory's model store. */
    public record StoreSettings(String xqueryAddr, String modelId, String modelVersion, String guid,
                                String urlTemplate, Map<String, String> headers, Path modelDir, String sha256,
                                String versionDir, String modelFile, int connectTimeoutMs, int readTimeoutMs,
                                int retries, long retryBackoffMs, long retryMaxBackoffMs, long progressIntervalMs,
                                long maxArchiveEntries, long maxUnpackedBytes, int maxCompressionRatio) {

        public boolean configured() {
            return xqueryAddr != null && !xqueryAddr.isBlank();
        }
    }

    /** @param grpcPort the gRPC-only port; 0 = none (gRPC is still served on {@code port}) */
    public record ServerSettings(String host, int port, long maxBodyBytes, long drainTimeoutMs, long headerTimeoutMs,
                                 long bodyTimeoutMs, int grpcPort) {
    }

    /**
     * @param instances 0 = chosen from the device at start
     */
    public record BatchingSettings(int maxBatchSize, long maxBatchDelayMs, int queueCapacity, int instances,
                                   long requestTimeoutMs) {
    }

    /**
     * Image preprocessing overrides; null / 0 / "auto" mean "derive from the model's input".
     *
     * @param maxImagePixels  largest width x height an image header may state; 0 = auto (image/ImageInput)
     * @param exifOrientation whether images are turned upright by their EXIF orientation
     */
    public record ImageSettings(String layout, String color, int width, int height, Float scale,
                                float[] mean, float[] std, long maxImagePixels, boolean exifOrientation) {
    }
}
