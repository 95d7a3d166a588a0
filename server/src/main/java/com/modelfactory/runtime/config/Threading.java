package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.ModelFormat;
import java.util.EnumSet;
import java.util.Set;

/**
 * How batch workers and the engine's own threads share the CPU cores, resolved from the host once.
 *
 * <p>With neither {@code INSTANCES} nor {@code INTRA_OP_THREADS} set, on a CPU with more than one core,
 * the model is loaded with the {@link #light} layout (up to 2 workers x 1 thread) and its batch-1 time
 * measured in the warm-up; a model that takes at least {@link #HEAVY_ITEM_SECONDS} an item ({@link #choose})
 * also gets a second copy with the {@link #heavy} layout's threads (every core), which runs a batch while no
 * other worker is in the engine, and then runs one worker per core. So a lone request uses every core, and
 * under load each core runs its own request: MobileNetV2 on 2 cores ran 113 req/s at one client and 185 at 32, where one worker x 2 threads
 * ran 117 and 145 (benchmarks/results/2026-12-07-layout.md).
 * A set value of either setting fixes the layout ({@code automatic} false; light and heavy are then the
 * same); so does a GPU (one worker keeps it busy) and a single core.
 *
 * @param light     workers x threads every model is loaded with
 * @param heavy     the threads of a heavy model's every-core copy
 * @param automatic whether start-up chooses by the warm-up
 */
public record Threading(Layout light, Layout heavy, boolean automatic) {
    /**
     * A model whose batch-1 item takes at least this long on one thread is heavy. The serving work around
     * an item (HTTP, PNG decode, batching) is ~0.3-1 ms here, so from ~2 ms on the engine is most of a
     * request and is worth every core; the models measured are far on either side (0.03-0.2 ms, 15 ms).
     */
    public static final double HEAVY_ITEM_SECONDS = 0.002;

    /** @param workers batch workers, each with its own predictor; @param intraOpThreads threads per inference */
    public record Layout(int workers, int intraOpThreads) {
        public Layout {
            if (workers < 1 || intraOpThreads < 1) {
                throw new IllegalArgumentException("invalid layout " + workers + " x " + intraOpThreads);
            }
        }
    }

    /** A layout fixed by configuration (or by the device): no choice at start-up. */
    public static Threading fixed(Layout layout) {
        return new Threading(layout, layout, false);
    }

    /**
     * The layouts for a host.
     * @param cores             processors the runtime may use
     * @param gpu               the model will try CUDA (one worker keeps a GPU busy)
     * @param configuredWorkers INSTANCES (0 = not set)
     * @param configuredThreads INTRA_OP_THREADS (0 = not set)
     */
    public static Threading resolve(int cores, boolean gpu, int configuredWorkers, int configuredThreads) {
        if (configuredWorkers > 0 || configuredThreads > 0 || gpu || cores == 1) {
            int workers = configuredWorkers > 0 ? configuredWorkers : gpu ? 1 : Math.min(2, cores);
            int threads = configuredThreads > 0 ? configuredThreads : Math.max(1, cores / workers);
            return fixed(new Layout(workers, threads));
        }
        return new Threading(new Layout(Math.min(2, cores), 1), new Layout(1, cores), true);
    }

    /**
     * The formats whose engine was measured to gain from the heavy layout: ONNX Runtime. libtorch lost:
     * MobileNetV2 TorchScript on 1 worker x 2 threads ran 60 req/s at 32 clients, at times 0.4 req/s with
     * seconds of CPU a request (its OpenMP threads spin against the decoders), where 2 workers x 1 thread
     * ran 105 (benchmarks/results/2026-12-01-vm.md, -torch-layout.md); and libtorch's thread count is one per
     * process, so a second copy cannot have its own. TensorFlow gained nothing to pay a second copy for: a
     * MobileNetV2 SavedModel ran 48.4-49.3 req/s at one client on 2 workers x 1 thread and 48.7-51.9 on 1 x 2
     * (TF's intra-op threads barely split one image), 74-79 against 57 at 32 clients, RSS ~500 MiB a copy
     * (benchmarks/results/2026-12-07-layout.md); Keras H5 runs on TensorFlow too.
     */
    private static final Set<ModelFormat> HEAVY_LAYOUT_MEASURED = EnumSet.of(ModelFormat.ONNX);

    /**
     * The layout of a model of this format with this measured batch-1 time per item on the light layout: heavy
     * means a second, every-core copy beside the light one.
     */
    public Layout choose(double itemSeconds, ModelFormat format) {
        return automatic && itemSeconds >= HEAVY_ITEM_SECONDS && HEAVY_LAYOUT_MEASURED.contains(format) ? heavy : light;
    }
}
