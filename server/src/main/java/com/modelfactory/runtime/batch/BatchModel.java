package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.config.Threading;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.startup.ModelSource;
import com.modelfactory.runtime.startup.ModelStartup;
import java.time.Duration;

/** The model, obtained and started exactly as the server does (source, engine, warm-up, batching), no HTTP. */
final class BatchModel {
    private BatchModel() {
    }

    static InferenceService start(RuntimeConfig config, RuntimeMetrics metrics, String name) throws StartupException {
        return start(config, metrics, name, true);
    }

    /** @param images whether the run sends images (a record run of a tabular model does not) */
    static InferenceService start(RuntimeConfig config, RuntimeMetrics metrics, String name, boolean images)
            throws StartupException {
        ModelSource.Located located;
        try {
            located = ModelSource.locate(config, new AcquisitionListener() {
            });
        } catch (ModelLoadException | RuntimeException e) {
            throw new StartupException("the model could not be obtained: " + e.getMessage(), ExitCodes.MODEL, e);
        }
        metrics.modelDownload(located.download().bytes(), located.download().seconds(), located.download().retries());
        InferenceService service;
        try {
            service = ModelStartup.start(forBatchRun(config), metrics, located, name, "1", false);
        } catch (com.modelfactory.runtime.config.ConfigException e) {
            throw new StartupException("configuration error: " + e.getMessage(), ExitCodes.CONFIG, e);
        } catch (ModelLoadException | RuntimeException e) {
            throw new StartupException("the model could not be loaded: " + e.getMessage(), ExitCodes.MODEL, e);
        }
        if (images && !service.inputs().takesImages()) {
            service.close();
            throw new StartupException("batch mode runs images, and this model cannot take one: "
                    + service.inputs().whyNoImages() + (service.info().task().tabular() != null
                    ? "; it is a tabular model: give --input a .csv or .jsonl file of records" : ""), ExitCodes.MODEL, null);
        }
        return service;
    }

    /**
     * What a batch run changes in the serving settings. A run bounds its requests in flight itself, so a
     * request deadline only turns a slow engine into failed images that --resume never reruns: requests
     * get a day, not REQUEST_TIMEOUT_MS. And no request waits alone, so the automatic threading keeps the
     * throughput layout (workers x 1 thread) instead of giving a heavy model every core for a lone request:
     * MobileNetV2-224 over 2,000 JPEGs ran 170 images/s on 1 x 2, 193 on 2 x 1
     * (benchmarks/results/2026-12-01-vm-batch*.md). INSTANCES / INTRA_OP_THREADS set still win.
     */
    static RuntimeConfig forBatchRun(RuntimeConfig c) {
        RuntimeConfig.BatchingSettings b = c.batching();
        Threading threading = b.threading().automatic() ? Threading.fixed(b.threading().light()) : b.threading();
        RuntimeConfig.BatchingSettings batch = new RuntimeConfig.BatchingSettings(b.maxBatchSize(), b.maxBatchDelay(),
                b.queueCapacity(), b.instances(), b.decoders(), Duration.ofDays(1), threading, b.maxRequestItems());
        return new RuntimeConfig(c.model(), c.store(), c.server(), batch, c.image(), c.warnings(), c.batch(), c.task(), c.repository());
    }
}
