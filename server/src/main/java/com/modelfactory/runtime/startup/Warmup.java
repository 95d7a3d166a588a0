package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.serving.ModelInputs;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the model and the image path once before the first request, so no client pays first-call
 * costs, and measures the per-item time the automatic batch cap is chosen from.
 */
final class Warmup {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    /** The batch cap when none is configured: see {@link #BATCH_BUDGET_SECONDS}. */
    static final int DEFAULT_MAX_BATCH = 32;
    /**
     * On CPU a batch is capped at what it computes in this long at the warm-up's per-item time. Batching
     * pays on CPU only while per-call overhead is a real share of the work: MobileNetV2 at 224x224 (16 ms an
     * item, 2 workers on 2 cores) served 85-103 req/s with batches of 4 or 8 and 80-90 with batches of 32, at
     * 3x the memory; a 32x32 CNN (0.15 ms an item) still gains up to 32. A GPU keeps the full default.
     * The engine's arena keeps the largest batch's activations for the life of the process, so the cap is
     * also a memory setting: MobileNetV2 at ~5 ms an item on 1 worker x 2 threads served 184-189 req/s at
     * 32 clients with batches of 2 and 187-188 with batches of 4, at a peak RSS of 236-245 against 269-286
     * MiB (64 ms, batches of 9-12, had given 181 req/s and 334-419 MiB), hence 12 ms.
     */
    static final double BATCH_BUDGET_SECONDS = 0.012;

    /** A 1x1 RGB PNG: decoding it loads and initialises ImageIO's PNG reader before the first request. */
    private static final byte[] ONE_PIXEL_PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP438AAAAQBAYDFKhhdAAAAAElFTkSuQmCC");

    private final LoadedModel model;
    private final ModelInputs inputs;

    Warmup(LoadedModel model, ModelInputs inputs) {
        this.model = model;
        this.inputs = inputs;
    }

    static int autoMaxBatch(double itemSeconds, boolean gpu) {
        if (gpu || itemSeconds <= 0) {
            return DEFAULT_MAX_BATCH;
        }
        return (int) Math.max(1, Math.min(DEFAULT_MAX_BATCH, Math.floor(BATCH_BUDGET_SECONDS / itemSeconds)));
    }

    /**
     * Runs one batch of zeros at each of these batch sizes.
     * @return the fewest seconds per item any of the batches took, or -1 when skipped because input shapes
     *         are unknown
     */
    double run(int... batchSizes) throws ModelLoadException {
        Signature sig = model.signature();
        if (!sig.shapesKnown()) {
            log.info("warm-up skipped: the model's input shapes are unknown");
            return -1;
        }
        double perItem = Double.MAX_VALUE;
        try (Predictor p = model.newPredictor()) {
            for (int n : batchSizes) {
                Map<String, Tensor> zeros = zeros(sig, n);
                long t0 = System.nanoTime();
                p.predict(zeros);
                perItem = Math.min(perItem, (System.nanoTime() - t0) / 1e9 / Math.max(1, items(sig, n)));
            }
            return perItem;
        } catch (RuntimeException e) {
            throw new ModelLoadException("the model loaded but its warm-up inference failed: " + e.getMessage(), e);
        }
    }

    /**
     * Items per second in single items and in batches of {@code n} when {@code callers} predictors run
     * side by side, as that many workers will. Each caller first runs single items untimed
     * ({@link #WARM_NANOS}), then all run single items, then batches, together, each at least
     * {@link #MEASURED_BATCHES} calls and {@link #MEASURED_NANOS}, {@link #ROUNDS} times. Measured this way, not from one caller, because what batching costs on a
     * CPU depends on the neighbours: MobileNetV2-224 on 2 cores ran 326 items/s in batches of 8 against
     * 311 in single items from one caller, but 336 against 385 with a caller per core (the batch's
     * activations no longer fit the caches both share).
     *
     * @return items per second {single, batched}
     */
    double[] singleAndBatched(int n, int callers) throws ModelLoadException {
        Signature sig = model.signature();
        Phaser together = new Phaser(callers);
        AtomicInteger threads = new AtomicInteger();
        // The calling thread is the first caller: with one worker no thread is made for the comparison.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, callers - 1), r -> {
            Thread t = new Thread(r, "warm-up-" + threads.incrementAndGet());
            t.setDaemon(true); // never what keeps a stopping JVM alive
            return t;
        });
        try {
            List<Future<double[]>> runs = new ArrayList<>();
            for (int i = 1; i < callers; i++) {
                runs.add(pool.submit(() -> measure(sig, n, together)));
            }
            CompletableFuture<double[]> own = new CompletableFuture<>();
            try {
                own.complete(measure(sig, n, together));
            } catch (RuntimeException | Error e) {
                own.completeExceptionally(new CompletionException(e)); // get() then throws it as the others' do
            }
            runs.add(0, own);
            double[] itemsPerSecond = new double[2];
            Throwable failure = null;
            for (Future<double[]> run : runs) {
                try {
                    double[] rates = run.get();
                    itemsPerSecond[0] += rates[0];
                    itemsPerSecond[1] += rates[1];
                } catch (ExecutionException e) {
                    // the caller that failed ends the phaser; the others then stop with CancellationException
                    if (failure == null || failure instanceof CancellationException) {
                        failure = e.getCause();
                    }
                }
            }
            if (failure != null) {
                throw new ModelLoadException("the model loaded but its warm-up inference failed at batch " + n + ": "
                        + (failure.getMessage() != null ? failure.getMessage() : failure.toString()), failure);
            }
            return itemsPerSecond;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("start-up interrupted during the warm-up", e);
        } finally {
            pool.shutdownNow();
            awaitCallers(pool);
        }
    }

    /** Every caller has returned by now (each one's future was waited for), unless start-up was interrupted. */
    private static void awaitCallers(ExecutorService pool) {
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final int MEASURED_BATCHES = 3;
    static final long MEASURED_NANOS = 20_000_000L;
    /** Untimed single items first: a new thread's first ~50 ms in ONNX Runtime ran at half speed. */
    static final long WARM_NANOS = 60_000_000L;
    /** Each measurement twice, alternating, keeping the faster: one window alone varied by 25%. */
    static final int ROUNDS = 2;
    /**
     * Below this per-item time batching is kept without measuring: per-call overhead is then a large
     * share of the work (a 32x32 CNN at 0.15 ms an item gains up to 32x from batching), and cold start
     * does not pay for the comparison.
     */
    static final double COMPARE_FROM_ITEM_SECONDS = 0.001;

    private double[] measure(Signature sig, int n, Phaser together) {
        try (Predictor p = model.newPredictor()) {
            Map<String, Tensor> one = zeros(sig, 1);
            Map<String, Tensor> batch = zeros(sig, n);
            long warm = System.nanoTime() + WARM_NANOS;
            while (System.nanoTime() < warm) {
                p.predict(one);
            }
            p.predict(batch);
            double single = 0;
            double batched = 0;
            for (int round = 0; round < ROUNDS; round++) {
                await(together);
                single = Math.max(single, itemsPerSecond(p, one, items(sig, 1)));
                await(together);
                batched = Math.max(batched, itemsPerSecond(p, batch, items(sig, n)));
            }
            together.arriveAndDeregister();
            return new double[] {single, batched};
        } catch (RuntimeException | Error e) {
            together.forceTermination(); // no caller is left waiting for this one
            throw e;
        }
    }

    private static void await(Phaser together) {
        if (together.arriveAndAwaitAdvance() < 0) {
            throw new CancellationException("another warm-up caller failed");
        }
    }

    private static double itemsPerSecond(Predictor p, Map<String, Tensor> inputs, int items) {
        long t0 = System.nanoTime();
        long elapsed;
        int calls = 0;
        do {
            p.predict(inputs);
            calls++;
            elapsed = System.nanoTime() - t0;
        } while (calls < MEASURED_BATCHES || elapsed < MEASURED_NANOS);
        return (double) calls * items / (elapsed / 1e9);
    }

    private Map<String, Tensor> zeros(Signature sig, int n) {
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (TensorSpec spec : sig.inputs()) {
            long[] shape = shape(spec, sig, n);
            // a text column (PMML, ONNX-ML) warms up on empty strings: missing values to a tabular model
            zeros.put(spec.name(), spec.dataType() == com.modelfactory.runtime.engine.DataType.BYTES
                    ? Tensor.ofBytes(shape, java.util.Collections.nCopies(Math.toIntExact(Tensor.elementCount(shape)),
                            new byte[0]))
                    : Tensor.allocate(spec.dataType(), shape));
        }
        return zeros;
    }

    /** Items in a warm-up batch of {@code n}: a model with a fixed batch size runs that many. */
    private static int items(Signature sig, int n) {
        return Math.max(1, sig.batched() && sig.maxBatch() > 0 ? (int) sig.maxBatch() : n);
    }

    /** Decodes and shapes one tiny image, so ImageIO's readers are loaded before the first request. */
    void imagePath() {
        if (!inputs.takesImages()) {
            return;
        }
        try {
            inputs.image(ONE_PIXEL_PNG);
        } catch (RuntimeException e) {
            log.debug("image path warm-up: {}", e.toString()); // an optimisation only
        }
    }

    private long[] shape(TensorSpec spec, Signature sig, int n) {
        long[] shape = spec.shape();
        for (int i = 0; i < shape.length; i++) {
            if (i == 0 && sig.batched()) {
                shape[i] = sig.maxBatch() > 0 ? sig.maxBatch() : n;
            } else if (shape[i] < 0) {
                shape[i] = dynamicDim(spec, i);
            }
        }
        return shape;
    }

    /** A size for a dynamic non-batch dimension: the image size where the image input has it, else 1. */
    private long dynamicDim(TensorSpec spec, int dim) {
        ImageInput in = inputs.imageSpec();
        if (in == null || !in.inputName().equals(spec.name())) {
            return 1;
        }
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
}
