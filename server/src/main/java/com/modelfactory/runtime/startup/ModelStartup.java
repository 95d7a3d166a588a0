package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.answer.Decoders;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.answer.TaskResolver;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.config.Threading;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.logging.LogSetup;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.image.ImagePreprocessor;
import com.modelfactory.runtime.image.NotAnImageModelException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.ServiceSettings;
import com.modelfactory.runtime.batching.BatchPolicy;
import com.modelfactory.runtime.batching.EveryCoreCopy;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Start-up, in the order data flows: load the located model, shape images, warm up, start serving. */
public final class ModelStartup {
    private static final Logger log = LoggerFactory.getLogger(ModelStartup.class);

    /** Batch-1 runs of the every-core copy whose fastest the start-up log reports. */
    private static final int MEASURED_TURNS = 5;

    private ModelStartup() {
    }

    /** Loads, warms up and starts the serving core for the located model, served as {@code name}. */
    public static InferenceService start(RuntimeConfig config, RuntimeMetrics metrics, ModelSource.Located located,
                                         String name) throws ModelLoadException {
        return start(config, metrics, located, name, "1", true);
    }

    /**
     * As {@link #start(RuntimeConfig, RuntimeMetrics, ModelSource.Located, String)}, served as {@code version}.
     * @param copyAfterReady a heavy model's every-core copy loads after the service serves (one model's start:
     *                       the first answer comes sooner); false where the caller charges the memory a start
     *                       took (a repository's budgets) or waits for the whole model (batch)
     */
    public static InferenceService start(RuntimeConfig config, RuntimeMetrics metrics, ModelSource.Located located,
                                         String name, String version, boolean copyAfterReady)
            throws ModelLoadException {
        var b = config.batching();
        long t0 = System.nanoTime();
        Threading.Layout layout = b.threading().light();
        LoadedModel model = load(config, located, layout);
        EveryCoreCopy lone = null;
        InferenceService service;
        Runnable loadCopy = null;
        try {
            Decoders decoders = Decoders.load(decoderJars(config, located));
            TaskResolver.Recognition recognition = TaskResolver.recognise(config.task(), model.signature(),
                    model.metadata(), decoders, model.tabular());
            RuntimeConfig.ImageSettings imageSettings = imageSettings(config.image(), recognition);
            ModelInputs inputs = imageInputs(model, config, imageSettings);
            long loadNanos = System.nanoTime() - t0;
            Warmup warmup = new Warmup(model, inputs);
            // Batch 1 three times: the fastest is the per-item time (start-up runs beside the HTTP server's).
            double itemSeconds = warmup.run(1, 1, 1);
            Threading.Layout heavy = b.threading().choose(itemSeconds, located.format());
            Threading.Layout serving = layout;
            if (!heavy.equals(layout)) {
                // With the every-core copy, one worker per core runs the one-core copy under load.
                serving = new Threading.Layout(heavy.intraOpThreads(), 1);
                EveryCoreCopy copy = new EveryCoreCopy();
                lone = copy;
                loadCopy = () -> loadEveryCoreCopy(config, located, heavy, itemSeconds, inputs, copy);
                if (!copyAfterReady) {
                    long l0 = System.nanoTime();
                    loadCopy.run();
                    loadCopy = null;
                    loadNanos += System.nanoTime() - l0;
                }
            }
            int maxBatch = maxBatch(config, model, warmup, itemSeconds, serving.workers());
            long loadMs = loadNanos / 1_000_000;
            Long warmupMs = itemSeconds >= 0 ? (System.nanoTime() - t0 - loadNanos) / 1_000_000 : null;

            ServiceSettings settings = new ServiceSettings(maxBatch, b.maxBatchDelay(), b.queueCapacity(),
                    serving.workers(), b.decoders(), b.requestTimeout(), b.maxRequestItems());
            ModelTask task = task(recognition, config, model, located, decoders, inputs);
            ModelInfo info = info(name, version, model, located, inputs, config, settings,
                    new ModelInfo.Timings(loadMs, warmupMs), serving.intraOpThreads(), task);
            service = new InferenceService(model, lone, info, inputs, settings, metrics);
        } catch (ModelLoadException | RuntimeException | Error e) {
            closeQuietly(lone);
            closeQuietly(model);
            throw e;
        }
        service.start();
        report(metrics, service, service.info(), located);
        if (loadCopy != null) {
            loadAfterReady(loadCopy, lone);
        }
        return service;
    }

    /** Loads the every-core copy on a thread of its own; the service serves on one core meanwhile. */
    private static void loadAfterReady(Runnable loadCopy, EveryCoreCopy copy) {
        copy.loading();
        try {
            Thread later = new Thread(loadCopy, "every-core-copy");
            later.setDaemon(true);
            later.start();
        } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had: serve on one core
            copy.failed();
            log.warn("the model's every-core copy is not loaded ({}): every batch runs on one core", e.toString());
        }
    }

    /** Closes what a failed start leaves open (a model, its every-core copy); the start's own failure stands. */
    private static void closeQuietly(AutoCloseable open) {
        if (open == null) {
            return;
        }
        try {
            open.close();
        } catch (Exception e) {
            log.debug("closing {} after a failed start: {}", open, e.toString());
        }
    }

    /**
     * Loads and warms up a heavy model's second copy, with every core ({@code heavy}'s threads), for the batches
     * that run alone ({@link com.modelfactory.runtime.batching.WorkerPool}), and logs what a batch-1 item takes
     * on it. Only the copy itself runs here: after the service is ready the one-core copy is the workers' to use
     * (and to close). The copy is kept whatever its time: on 2 cores a busy neighbour during start-up costs two
     * threads most, and one start in two measured MobileNetV2 slower on 2 threads than on one (6.8 against 7.6
     * ms) where serving shows 4.9 against 8.4; where threads truly do not help (a quantized model of ~80 ms
     * either way), a lone request costs the same on either copy and only memory is spent. A copy that fails to
     * load leaves every batch on one core.
     */
    private static void loadEveryCoreCopy(RuntimeConfig config, ModelSource.Located located, Threading.Layout heavy,
                                          double oneCoreSeconds, ModelInputs inputs, EveryCoreCopy copy) {
        LoadedModel loaded = null;
        try {
            loaded = load(config, located, heavy);
            Warmup everyCore = new Warmup(loaded, inputs);
            everyCore.run(1, 1); // the first runs of a new session are slow
            double seconds = Double.MAX_VALUE;
            for (int i = 0; i < MEASURED_TURNS; i++) {
                seconds = Math.min(seconds, everyCore.run(1));
            }
            log.info("the model took {} ms an item on 1 thread at start-up, {} ms on {} now: a request that runs alone "
                    + "runs on a copy with every core, under load each of {} workers runs its own on one", ms(oneCoreSeconds),
                    ms(seconds), heavy.intraOpThreads(), heavy.intraOpThreads());
            copy.arrive(loaded);
        } catch (ModelLoadException | RuntimeException | Error e) {
            closeQuietly(loaded);
            copy.failed();
            log.warn("the model's every-core copy did not load ({}): every batch runs on one core", e.toString());
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    private static String ms(double seconds) {
        return String.format("%.1f", seconds * 1e3);
    }

    private static LoadedModel load(RuntimeConfig config, ModelSource.Located located, Threading.Layout layout)
            throws ModelLoadException {
        var m = config.model();
        return Engines.load(located.format(), new LoadOptions(located.path(), m.device(), layout.intraOpThreads(),
                m.interOpThreads(), m.signature(), m.inputs(), m.outputs(), m.engineEnvironment(), m.engineOptions()));
    }

    /**
     * The batch cap (configured, else from the per-item time), warmed up at that size. With several
     * workers, an automatic cap on CPU for a model of 1 ms an item or more is kept only if batches of it,
     * run by every worker at once, beat single items; else it is 1 (MobileNetV2-224, 2 x 1 on 2 cores:
     * 385 items/s single, 336 in batches of 8). One worker keeps the cap unmeasured: on 1 x 2 batches ran
     * faster (MobileNetV2: 227 vs 200, 321 vs 308 items/s) and the comparison was noisy enough to flip
     * between starts (117 to 308 items/s for single items).
     */
    private static int maxBatch(RuntimeConfig config, LoadedModel model, Warmup warmup, double itemSeconds,
                                int workers) throws ModelLoadException {
        boolean gpu = model.device().startsWith("cuda");
        if (model.tabular().isPresent() && config.batching().maxBatchSize().isEmpty()) {
            // Records are small: a tabular request is never split (its batch cap is max_request_items, which bounds a
            // request anyway), and ONNX-ML gains from batching records of several requests.
            int maxBatch = BatchPolicy.maxItems(model.signature(), config.batching().maxRequestItems());
            warmup.run(maxBatch);
            return maxBatch;
        }
        int maxBatch = BatchPolicy.maxItems(model.signature(),
                config.batching().maxBatchSize().orElseGet(() -> Warmup.autoMaxBatch(itemSeconds, gpu)));
        warnIfOverridden(config, model, maxBatch);
        if (maxBatch > 1 && itemSeconds >= 0) {
            if (comparesBatching(config, model, gpu, workers, itemSeconds)) {
                double[] rates = warmup.singleAndBatched(maxBatch, workers);
                double single = rates[0];
                double batched = rates[1];
                log.info("warm-up on {} worker(s): batches of {} ran {} items/s, single items {}{}", workers, maxBatch,
                        Math.round(batched), Math.round(single), batched < single ? ": no batching" : "");
                if (batched < single) {
                    maxBatch = 1;
                }
            } else {
                warmup.run(maxBatch);
            }
        }
        warmup.imagePath();
        return maxBatch;
    }

    /** A configured batch size the model cannot take is said, not silently changed. */
    private static void warnIfOverridden(RuntimeConfig config, LoadedModel model, int maxBatch) {
        config.batching().maxBatchSize().ifPresent(configured -> {
            if (configured != maxBatch) {
                log.warn("config: max_batch_size {} is overridden by the model: {}, so batches hold at most {}",
                        configured, model.signature().batched()
                                ? "its inputs have a fixed batch dimension of " + model.signature().maxBatch()
                                : "its inputs have no batch dimension", maxBatch);
            }
        });
    }

    /** Whether the automatic cap is checked against single items: see {@link #maxBatch}. */
    private static boolean comparesBatching(RuntimeConfig config, LoadedModel model, boolean gpu, int workers,
                                            double itemSeconds) {
        return config.batching().maxBatchSize().isEmpty() && !gpu && workers > 1 && model.signature().maxBatch() <= 0
                && itemSeconds >= Warmup.COMPARE_FROM_ITEM_SECONDS;
    }

    /**
     * A request's decoded images may take this many times MAX_BODY_BYTES, about what a JSON tensor of the
     * largest body could hold (a number and its comma are 2 bytes or more for 4 of FP32).
     */
    private static final long DECODED_BYTES_PER_BODY_BYTE = 4;

    /**
     * The decoders' jars: decoder_path, else a decoders/ folder beside the model, and only when the
     * configured decoder is none of the built-ins: code that came inside a model archive runs only when
     * the deployment asks for it by name.
     */
    private static java.nio.file.Path decoderJars(RuntimeConfig config, ModelSource.Located located) {
        if (config.task().decoderPath() != null) {
            return config.task().decoderPath();
        }
        String named = config.task().decoder();
        if (named == null || Decoders.builtIn().get(named) != null || named.equals(Decoders.SEMANTIC)) {
            return null;
        }
        java.nio.file.Path p = located.path().toAbsolutePath();
        java.nio.file.Path dir = java.nio.file.Files.isDirectory(p) ? p : p.getParent();
        return dir == null ? null : dir.resolve("decoders");
    }

    /**
     * The image settings with the family's defaults where nothing was configured: Ultralytics models
     * letterbox (centred) at their imgsz, YOLOX letterboxes at the top left.
     */
    static RuntimeConfig.ImageSettings imageSettings(RuntimeConfig.ImageSettings s, TaskResolver.Recognition r) {
        if (r.ultralytics() && r.imgsz() != null && s.width() == 0 && s.height() == 0) {
            s = s.withSize(r.imgsz()[0], r.imgsz()[1]);
        }
        if (r.task() != Task.RAW && r.task() != Task.CLASSIFICATION) {
            s = s.withWholePixels();
        }
        if ("yolox".equals(r.decoder()) && s.resize() == RuntimeConfig.Resize.AUTO) {
            return s.withFit(RuntimeConfig.Resize.LETTERBOX, RuntimeConfig.LetterboxAlign.TOP_LEFT);
        }
        // Ultralytics classifiers resize and centre-crop instead (classify_transforms): not letterboxed
        boolean yolo = (r.ultralytics() && r.task().boxes())
                || (r.decoder() != null && java.util.Set.of("yolov5", "yolov8", "yolov8_seg").contains(r.decoder()));
        return s.withDefaultResize(yolo ? RuntimeConfig.Resize.LETTERBOX : RuntimeConfig.Resize.STRETCH);
    }

    private static ModelTask task(TaskResolver.Recognition r, RuntimeConfig config, LoadedModel model,
                                  ModelSource.Located located, Decoders decoders, ModelInputs inputs) {
        ImageInput images = inputs.takesImages() ? inputs.imageSpec() : null;
        int w = images == null ? 0 : images.width();
        int h = images == null ? 0 : images.height();
        boolean nhwc = images != null && images.rank() == 4 && images.layout() == ImageInput.Layout.NHWC;
        ModelTask task = TaskResolver.build(r, config.task(), model.signature(), decoders, config.task().classNames(),
                Labels.read(config, located.path()), w, h, nhwc);
        log.info("task: {}; class names from {}{}", task, task.tabular() != null ? "the model's fields"
                        : task.labels().source(),
                decoders.jars().isEmpty() ? "" : "; decoder jars " + decoders.jars());
        return task;
    }

    private static ModelInputs imageInputs(LoadedModel model, RuntimeConfig config,
                                           RuntimeConfig.ImageSettings imageSettings) {
        try {
            return new ModelInputs(model.signature(),
                    new ImagePreprocessor(ImageInput.resolve(model.signature(), imageSettings)), null,
                    DECODED_BYTES_PER_BODY_BYTE * config.server().maxBodyBytes());
        } catch (NotAnImageModelException e) {
            log.info("/predict will not take images for this model: {}", e.getMessage());
            return new ModelInputs(model.signature(), null, e.getMessage());
        }
    }

    private static ModelInfo info(String name, String version, LoadedModel model, ModelSource.Located located,
                                  ModelInputs inputs,
                                  RuntimeConfig config, ServiceSettings s, ModelInfo.Timings timings, int intra,
                                  ModelTask task) {
        ImageInput images = inputs.takesImages() ? inputs.imageSpec() : null;
        var batching = new ModelInfo.Batching(s.maxBatchItems(), s.maxBatchDelay().toNanos() / 1e6, s.queueCapacity(),
                s.workers(), s.requestTimeout().toMillis());
        return new ModelInfo(name, version, located.format(), model.engine(), model.device(), model.signature(), images,
                inputs.whyNoImages(), Labels.read(config, located.path()), located.source(), batching, timings, intra,
                model.details(), task);
    }

    private static void report(RuntimeMetrics metrics, InferenceService service, ModelInfo info,
                               ModelSource.Located located) {
        metrics.startupValue("model_load_seconds", "time to load the model into the engine", "seconds",
                info.timings().loadMs() / 1e3);
        metrics.startupValue("model_warmup_seconds", "time of the warm-up batches", "seconds",
                info.timings().warmupMs() == null ? 0 : info.timings().warmupMs() / 1e3);
        metrics.modelInfo(Map.of("format", info.format().id(), "engine", info.engine(), "device", info.device(),
                "version", info.version()));
        metrics.gauge("model_queue_depth", "requests waiting in the batch queue", service::queueDepth);
        metrics.gauge("model_requests_in_flight", "requests accepted and not yet answered", service::inFlight);
        ModelTask.Counters post = info.task().counters();
        metrics.counter("model_postprocess_seconds", "time spent turning outputs into answers (decoding, NMS, masks)",
                post.nanos(), n -> n.sum() / 1e9);
        metrics.counter("model_postprocess_images", "images turned into answers", post.images(), n -> n.sum());
        metrics.counter("model_invalid_boxes", "boxes from the model dropped as NaN, infinite, degenerate or outside "
                + "the image", post.droppedBoxes(), n -> n.sum());
        metrics.counter("model_lone_batches", "batches run on the model's every-core copy: a request alone, no other "
                + "worker busy (heavy models on a CPU)", service, InferenceService::loneBatches);
        var b = info.batching();
        log.info("serving model '{}' ({}, {} on {}), loaded in {} ms, warm-up {} ms; batching: max {} items, "
                        + "{} ms delay, {} workers x {} threads", info.name(), located.format().id(), info.engine(),
                info.device(), info.timings().loadMs(), info.timings().warmupMs(), b.maxBatchSize(),
                b.maxBatchDelayMs(), b.instances(), info.intraOpThreads());
        LogSetup.reportEngineRepeats();
    }
}
