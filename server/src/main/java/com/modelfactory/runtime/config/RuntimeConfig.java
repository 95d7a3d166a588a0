package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.EngineEnvironment;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The runtime's whole configuration, typed, validated and resolved once at start: durations, sizes in
 * bytes, enums, and the automatic thread and worker counts already computed for this host. Nothing
 * downstream reads the environment or re-derives a default.
 */
public record RuntimeConfig(ModelSettings model, StoreSettings store, ServerSettings server,
                            BatchingSettings batching, ImageSettings image, List<String> warnings,
                            BatchSettings batch, TaskSettings task, RepositorySettings repository) {

    /** How models are loaded from a repository folder, and how the repository is kept up to date. */
    public enum ControlMode { NONE, EXPLICIT, POLL }

    /**
     * A model repository ({@code roots} empty: one model, the factory's per-model deployment) and, in a
     * model's own model-config.yaml, its version policy and whether the server is ready without it.
     *
     * @param loadModels explicit mode: the names loaded at start ({@code *} = all)
     */
    /** A repository model fetched from the model store, as MODEL_ID and MODEL_VERSION name it. */
    public record StoreModel(String modelId, String modelVersion) {
    }

    public record RepositorySettings(List<java.nio.file.Path> roots, Map<String, StoreModel> storeModels,
                                     ControlMode mode, List<String> loadModels,
                                     java.time.Duration poll, VersionPolicy versionPolicy, boolean required,
                                     long memoryBudget, boolean evict, long modelMemory, long gpuMemoryBudget) {
        public boolean enabled() {
            return !roots.isEmpty() || !storeModels.isEmpty();
        }
    }

    /** The configuration with other task settings (YMIR's config.yaml, tests). */
    public RuntimeConfig withTask(TaskSettings t) {
        return new RuntimeConfig(model, store, server, batching, image, warnings, batch, t, repository);
    }

    /**
     * How long a connection whose requests the server does not time itself (HTTP/2, gRPC) may move no byte:
     * longer than a request may wait for its answer (a request waiting for its batch moves no bytes).
     */
    public Duration longestSilence() {
        Duration longest = server.headerTimeout().compareTo(batching.requestTimeout()) > 0
                ? server.headerTimeout() : batching.requestTimeout();
        return Duration.ofMillis(Math.min(longest.toMillis() + 1000, Integer.MAX_VALUE));
    }

    /**
     * @param format             forced format, or null to detect it
     * @param intraOpThreads     threads one inference uses as the model is first loaded (see {@link Threading})
     * @param interOpThreads     threads for parallel graph branches (0 = the engine's default)
     * @param nativeCacheDir     MODEL_RUNTIME_NATIVE_DIR, else the per-user native cache
     * @param cudaVisibleDevices CUDA_VISIBLE_DEVICES as the process has it (null when unset)
     * @param djlCacheDir        DJL_CACHE_DIR (null: under the native cache)
     * @param engineOptions      engine session settings passed through by name (ENGINE_OPTIONS)
     */
    public record ModelSettings(String location, String name, ModelFormat format, Device device, String signature,
                                List<TensorSpec> inputs, List<TensorSpec> outputs, Path labels,
                                int intraOpThreads, int interOpThreads, Path nativeCacheDir, Path configFile,
                                String cudaVisibleDevices, Path djlCacheDir, Map<String, String> engineOptions) {

        /** What the engines get to know about their environment (never read by them from the process). */
        public EngineEnvironment engineEnvironment() {
            return new EngineEnvironment(nativeCacheDir, cudaVisibleDevices, djlCacheDir);
        }
    }

    /** Where the model comes from when it is not a local path: the factory's model store. */
    public record StoreSettings(String xqueryAddr, String modelId, String modelVersion, String guid,
                                String urlTemplate, Map<String, String> headers, Path modelDir, String sha256,
                                String versionDir, String modelFile, Duration connectTimeout, Duration readTimeout,
                                int retries, Duration retryBackoff, Duration retryMaxBackoff, Duration progressInterval,
                                int maxArchiveEntries, long maxUnpackedBytes, int maxCompressionRatio,
                                com.modelfactory.runtime.fetch.StoreTls tls) {

        public boolean configured() {
            return xqueryAddr != null && !xqueryAddr.isBlank();
        }
    }

    /** @param grpcPort the gRPC-only port; 0 = none (gRPC is still served on {@code port}) */
    /**
     * @param authTokensFile AUTH_TOKENS_FILE: bearer tokens per endpoint group; null = no check
     * @param tls            TLS on both ports; null = plain
     * @param latencyBuckets bucket bounds of the latency histograms; null = the default ones
     */
    public record ServerSettings(String host, int port, long maxBodyBytes, Duration drainTimeout,
                                 Duration headerTimeout, Duration bodyTimeout, int grpcPort,
                                 java.nio.file.Path authTokensFile, TlsSettings tls, int healthPort,
                                 boolean accessLog, int accessLogMaxPerSecond, List<Duration> latencyBuckets) {
    }

    /**
     * PEM files of the server's certificate (its chain after it) and key, and for mutual TLS the CA that
     * client certificates must come from ({@code clientCa} null: no client certificates asked for).
     */
    public record TlsSettings(java.nio.file.Path cert, java.nio.file.Path key, java.nio.file.Path clientCa,
                              boolean clientCertRequired) {
    }

    /**
     * @param maxBatchSize empty = automatic, chosen from the warm-up's per-item time
     * @param instances    batch workers as the model is first loaded (see {@code threading})
     * @param decoders     threads decoding request bodies (one per core, at least 2)
     * @param threading    workers x engine threads: fixed, or chosen at start-up by the model's cost
     */
    public record BatchingSettings(OptionalInt maxBatchSize, Duration maxBatchDelay, int queueCapacity, int instances,
                                   int decoders, Duration requestTimeout, Threading threading, int maxRequestItems) {
    }

    /** How the image input's layout is chosen. */
    public enum Layout { AUTO, NCHW, NHWC }

    /** The colour order an image input takes. */
    public enum Color { AUTO, RGB, BGR, GRAYSCALE }

    /**
     * Image preprocessing overrides; AUTO / 0 / null mean "derive from the model's input".
     *
     * @param maxImagePixels  largest width x height an image header may state; 0 = auto (image/ImageInput)
     * @param exifOrientation whether images are turned upright by their EXIF orientation
     */
    public record ImageSettings(Layout layout, Color color, int width, int height, Float scale,
                                float[] mean, float[] std, long maxImagePixels, boolean exifOrientation,
                                Resize resize, LetterboxAlign letterboxAlign, float padValue, boolean wholePixels) {

        /** A plain (stretching) resize, or the model task's default. */
        public ImageSettings(Layout layout, Color color, int width, int height, Float scale,
                             float[] mean, float[] std, long maxImagePixels, boolean exifOrientation) {
            this(layout, color, width, height, scale, mean, std, maxImagePixels, exifOrientation, Resize.AUTO,
                    LetterboxAlign.CENTER, 114f, false);
        }

        /**
         * The same settings with resized pixels rounded to whole values (detectors and segmenters: their
         * pipelines resize 8-bit images); classifiers keep the float resize their references were checked with.
         */
        public ImageSettings withWholePixels() {
            return new ImageSettings(layout, color, width, height, scale, mean, std, maxImagePixels, exifOrientation,
                    resize, letterboxAlign, padValue, true);
        }

        /** The same settings with the resize a model family defaults to, where none was configured. */
        public ImageSettings withDefaultResize(Resize r) {
            return resize != Resize.AUTO ? this : withFit(r, letterboxAlign);
        }

        /** The same settings with this resize and letterbox alignment. */
        public ImageSettings withFit(Resize r, LetterboxAlign align) {
            return new ImageSettings(layout, color, width, height, scale, mean, std, maxImagePixels, exifOrientation,
                    r, align, padValue, wholePixels);
        }

        /** The same settings with this target size. */
        public ImageSettings withSize(int w, int h) {
            return new ImageSettings(layout, color, w, h, scale, mean, std, maxImagePixels, exifOrientation, resize,
                    letterboxAlign, padValue, wholePixels);
        }
    }

    /** How an image is fitted to a fixed input: AUTO = the model family's way (letterbox for Ultralytics). */
    public enum Resize { AUTO, STRETCH, LETTERBOX }

    /** Where a letterboxed image sits on its canvas. */
    public enum LetterboxAlign { CENTER, TOP_LEFT }

    /**
     * What the model's outputs are turned into (the answer package).
     *
     * @param task          classification, detection, semantic_segmentation, instance_segmentation, raw,
     *                      or null = recognised from the model
     * @param decoder       the output layout's decoder name, or null = recognised
     * @param conf          confidence threshold of detections
     * @param iou           IoU above which NMS drops the lower-scored box
     * @param maxDet        most detections an image keeps
     * @param agnosticNms   NMS across classes instead of per class
     * @param scores        classifier scores: auto (probabilities as they are, else softmax), softmax, raw
     * @param postprocess   v2 REST/gRPC answer detections (detection_* outputs) by default
     * @param classNames    class names given by the task (YMIR's class_names), null = labels / metadata
     * @param decoderPath   jar(s) with decoders (ServiceLoader), null = a decoders/ folder beside the model
     */
    public record TaskSettings(String task, String decoder, float conf, float iou, int maxDet, boolean agnosticNms,
                               String scores, boolean postprocess, List<String> classNames, Path decoderPath) {
        public static final TaskSettings DEFAULT = new TaskSettings(null, null, 0.25f, 0.45f, 300, false, "auto",
                false, null, null);

        public TaskSettings withClassNames(List<String> names) {
            return new TaskSettings(task, decoder, conf, iou, maxDet, agnosticNms, scores, postprocess, names,
                    decoderPath);
        }
    }

    /**
     * {@code model-server batch}: offline inference over a dataset.
     *
     * @param input            a folder of images or an index file; null = the YMIR task, if there is one
     * @param topK             classes per record (0 = the outputs themselves)
     * @param shard            the part of the sorted input this process runs (0/1 = all of it)
     * @param metricsPort      port of the /metrics endpoint, null = none (0 = any free port)
     * @param progressInterval how often progress is logged and the YMIR monitor file is rewritten
     * @param ymirEnvFile      YMIR's task file (env.yaml)
     */
    public record BatchSettings(Path input, Path output, int topK, boolean resume, Shard shard, Integer metricsPort,
                                String metricsHost, Duration progressInterval, Path ymirEnvFile) {
    }

    /** Shard {@code index} (0-based) of {@code count}. */
    public record Shard(int index, int count) {
        public boolean all() {
            return count == 1;
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }
}
