package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;

/**
 * The batch run's own metrics beside the serving core's (queue, batch size, inference time):
 * {@code batch_images} (this run's input), {@code batch_images_done_total{result="ok"|"error"}},
 * {@code batch_images_per_second}, {@code batch_in_flight_window}.
 */
final class BatchMetrics {
    private BatchMetrics() {
    }

    static void register(RuntimeMetrics metrics, Progress progress, BatchRunner runner) {
        registerProgress(metrics, progress);
        Gauge.builder("batch_in_flight_window", runner, BatchRunner::window)
                .description("images the batch run keeps in flight").register(metrics.registry());
    }

    static void registerProgress(RuntimeMetrics metrics, Progress progress) {
        var registry = metrics.registry();
        Gauge.builder("batch_images", progress, p -> p.snapshot().total())
                .description("images in this run's input (this shard), those recorded by an earlier run included")
                .register(registry);
        FunctionCounter.builder("batch_images_done", progress, p -> p.snapshot().done() - p.snapshot().failed())
                .description("images recorded with their results").tag("result", "ok").register(registry);
        FunctionCounter.builder("batch_images_done", progress, p -> p.snapshot().failed())
                .description("images recorded with their results").tag("result", "error").register(registry);
        Gauge.builder("batch_images_per_second", progress, p -> p.snapshot().perSecond())
                .description("this run's images per second so far").register(registry);
    }
}
