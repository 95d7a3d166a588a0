package com.modelfactory.runtime;

import com.modelfactory.runtime.batching.Batcher;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.EngineEnvironment;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.http.TensorJson;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.image.ImagePreprocessor;
import com.modelfactory.runtime.image.NotAnImageModelException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Start-up, in the order data flows: find the model, load it, shape images, warm up, start batching. */
final class ModelStartup {
    private static final Logger log = LoggerFactory.getLogger(ModelStartup.class);

    private ModelStartup() {
    }

    static ServedModel start(RuntimeConfig config, RuntimeMetrics metrics, ModelSource.Located located) throws ModelLoadException {
        var m = config.model();
        int cores = Runtime.getRuntime().availableProcessors();
        int instances = config.batching().instances() > 0 ? config.batching().instances()
                : m.device().kind() == Device.Kind.CUDA ? 1 : Math.min(2, cores);
        int intra = m.intraOpThreads() > 0 ? m.intraOpThreads() : Math.max(1, cores / instances);
        LoadOptions options = new LoadOptions(located.path(), m.device(), intra, m.interOpThreads(), m.signature(),
                m.inputs(), m.outputs(), new EngineEnvironment(m.nativeCacheDir(), m.cudaVisibleDevices(), m.djlCacheDir()));

        long t0 = System.nanoTime();
        LoadedModel model = Engines.load(located.format(), options);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Signature sig = model.signature();

        String name = m.name() != null ? m.name() : nameFrom(located.path());
        ImagePreprocessor images = null;
        String imageProblem = null;
        try {
            images = new ImagePreprocessor(ImageInput.resolve(sig, config.image()));
        } catch (NotAnImageModelException e) {
            imageProblem = e.getMessage();
            log.info("/predict will not take images for this model: {}", imageProblem);
        }

        long w0 = System.nanoTime();
        // Batch 1 three times: the fastest is the per-item time (start-up runs beside the HTTP server's).
        double itemSeconds = warmUp(model, images, List.of(1, 1, 1));
        int configured = config.batching().maxBatchSize();
        int maxBatch = Batcher.maxItems(sig, configured > 0 ? configured
                : autoMaxBatch(itemSeconds, m.device().kind() == Device.Kind.CUDA));
        if (maxBatch > 1 && itemSeconds >= 0) {
            warmUp(model, images, List.of(maxBatch));
        }
        warmRequestPath(images);
        double warmupSeconds = (System.nanoTime() - w0) / 1e9;
        boolean warmed = itemSeconds >= 0;
        var settings = new Batcher.Settings(maxBatch, TimeUnit.MILLISECONDS.toNanos(config.batching().maxBatchDelayMs()),
                config.batching().queueCapacity(), instances, config.batching().requestTimeoutMs());

        Batcher batcher = new Batcher(model, settings, metrics);
        batcher.start();

        Map<String, Object> description = new LinkedHashMap<>(located.description());
        description.put("format", located.format().id());
        description.put("load_time_ms", Math.round(loadSeconds * 1000));
        description.put("warmup_time_ms", warmed ? Math.round(warmupSeconds * 1000) : null);
        description.put("intra_op_threads", intra);

        metrics.startupValue("model_load_seconds", "time to load the model into the engine", "seconds", loadSeconds);
        metrics.startupValue("model_warmup_seconds", "time of the warm-up batches", "seconds", warmupSeconds);
        metrics.modelInfo(Map.of("format", located.format().id(), "engine", model.engine(), "device", model.device(),
                "version", "1"));
        metrics.gauge("model_queue_depth", "requests waiting in the batch queue", batcher::queueDepth);
        metrics.gauge("model_requests_in_flight", "requests accepted and not yet answered", batcher::inFlight);
        log.info("serving model '{}' ({}, {} on {}), loaded in {} ms, warm-up {} ms; batching: max {} items, "
                        + "{} ms delay, {} workers x {} threads", name, located.format().id(), model.engine(),
                model.device(), Math.round(loadSeconds * 1000), Math.round(warmupSeconds * 1000), maxBatch,
                config.batching().maxBatchDelayMs(), instances, intra);
        return new ServedModel(name, "1", model, batcher, images, imageProblem, labels(config, located.path()),
                description);
    }

    /** The batch cap when none is configured: see {@link #BATCH_BUDGET_SECONDS}. */
    static final int DEFAULT_MAX_BATCH = 32;
    /**
     * On CPU a batch is capped at what it computes in this long at the warm-up's per-item time. Batching
     * pays on CPU only while per-call overhead is a real share of the work: MobileNetV2 at 224x224 (16 ms an
     * item, 2 workers on 2 cores) served 85-103 req/s with batches of 4 or 8 and 80-90 with batches of 32, at
     * 3x the memory; a 32x32 CNN (0.15 ms an item) still gains up to 32. A GPU keeps the full default.
     */
    static final double BATCH_BUDGET_SECONDS = 0.064;

    static int autoMaxBatch(double itemSeconds, boolean gpu) {
        if (gpu || itemSeconds <= 0) {
            return DEFAULT_MAX_BATCH;
        }
        return (int) Math.max(1, Math.min(DEFAULT_MAX_BATCH, Math.floor(BATCH_BUDGET_SECONDS / itemSeconds)));
    }

    /**
     * Runs one batch of zeros at each of these batch sizes, so the first request pays no first-call cost.
     * @return the fewest seconds per item any of the batches took, or -1 when skipped because input shapes
     *         are unknown
     */
    static double warmUp(LoadedModel model, ImagePreprocessor images, List<Integer> sizes) throws ModelLoadException {
        Signature sig = model.signature();
        if (!sig.shapesKnown()) {
            log.info("warm-up skipped: the model's input shapes are unknown");
            return -1;
        }
        double perItem = Double.MAX_VALUE;
        try (Predictor p = model.newPredictor()) {
            for (int n : sizes) {
                Map<String, Tensor> inputs = new LinkedHashMap<>();
                for (TensorSpec spec : sig.inputs()) {
                    inputs.put(spec.name(), Tensor.allocate(spec.dataType(), warmupShape(spec, sig, images, n)));
                }
                long t0 = System.nanoTime();
                p.predict(inputs);
                int items = sig.batched() && sig.maxBatch() > 0 ? (int) sig.maxBatch() : n;
                perItem = Math.min(perItem, (System.nanoTime() - t0) / 1e9 / Math.max(1, items));
            }
            return perItem;
        } catch (RuntimeException e) {
            throw new ModelLoadException("the model loaded but its warm-up inference failed: " + e.getMessage(), e);
        }
    }

    /** A 1x1 RGB PNG: decoding it loads and initialises ImageIO's PNG reader before the first request. */
    private static final byte[] ONE_PIXEL_PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP438AAAAQBAYDFKhhdAAAAAElFTkSuQmCC");

    /**
     * Runs the request path's own code once (image decode and preprocessing, OIP JSON parse and write)
     * while the HTTP server is still starting, so the first request does not pay for its class loading.
     */
    private static void warmRequestPath(ImagePreprocessor images) {
        try {
            if (images != null) {
                images.toTensor(ONE_PIXEL_PNG);
            }
            var request = TensorJson.parseInferRequest(
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[0.5]}]}"
                            .getBytes(StandardCharsets.UTF_8));
            TensorJson.inferResponse("warm-up", "1", null, request.inputs());
        } catch (RuntimeException e) {
            log.debug("request path warm-up: {}", e.toString()); // an optimisation only
        }
    }

    private static long[] warmupShape(TensorSpec spec, Signature sig, ImagePreprocessor images, int n) {
        long[] shape = spec.shape();
        for (int i = 0; i < shape.length; i++) {
            if (i == 0 && sig.batched()) {
                shape[i] = sig.maxBatch() > 0 ? sig.maxBatch() : n;
            } else if (shape[i] < 0) {
                shape[i] = dynamicDim(images, spec, i);
            }
        }
        return shape;
    }

    /** A size for a dynamic non-batch dimension: the image size where the image input has it, else 1. */
    private static long dynamicDim(ImagePreprocessor images, TensorSpec spec, int dim) {
        if (images == null || !images.spec().inputName().equals(spec.name())) {
            return 1;
        }
        ImageInput in = images.spec();
        int h = in.height() > 0 ? in.height() : 224;
        int w = in.width() > 0 ? in.width() : 224;
        if (in.rank() == 4) {
            boolean nchw = in.layout() == ImageInput.Layout.NCHW;
            return switch (dim) {
                case 1 -> nchw ? in.channels() : h;
                case 2 -> nchw ? h : w;
                default -> nchw ? w : in.channels();
            };
        }
        return dim == 1 ? h : w;
    }

    static String nameFrom(Path path) {
        Path p = path.toAbsolutePath().normalize();
        String file = p.getFileName() == null ? "model" : p.getFileName().toString();
        if (Files.isDirectory(p) && file.matches("\\d+") && p.getParent() != null) {
            file = p.getParent().getFileName().toString(); // TF Serving version folder: use the model's name
        }
        int dot = file.lastIndexOf('.');
        String base = dot > 0 ? file.substring(0, dot) : file;
        if (base.equals("model") && p.getParent() != null && p.getParent().getFileName() != null) {
            base = p.getParent().getFileName().toString();
        }
        return base.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    static List<String> labels(RuntimeConfig config, Path modelPath) {
        Path file = config.model().labels();
        if (file == null) {
            Path dir = Files.isDirectory(modelPath) ? modelPath : modelPath.toAbsolutePath().getParent();
            file = dir == null ? null : dir.resolve("labels.txt");
            if (file == null || !Files.isRegularFile(file)) {
                return List.of();
            }
        }
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            log.warn("labels file {} could not be read: {}", file, e.getMessage());
            return List.of();
        }
    }
}
