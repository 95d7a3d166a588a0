package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.startup.ModelSource;
import com.modelfactory.runtime.startup.ModelStartup;

/** The model, obtained and started exactly as the server does (source, engine, warm-up, batching), no HTTP. */
final class BatchModel {
    private BatchModel() {
    }

    static InferenceService start(RuntimeConfig config, RuntimeMetrics metrics, String name) throws StartupException {
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
            service = ModelStartup.start(withoutRequestDeadline(config), metrics, located, name);
        } catch (ModelLoadException | RuntimeException e) {
            throw new StartupException("the model could not be loaded: " + e.getMessage(), ExitCodes.MODEL, e);
        }
        if (!service.inputs().takesImages()) {
            service.close();
            throw new StartupException("batch mode runs images, and this model cannot take one: "
                    + service.inputs().whyNoImages(), ExitCodes.MODEL, null);
        }
        return service;
    }

    /**
     * A batch run bounds its requests in flight itself, so a request deadline only turns a slow engine
     * into failed images that --resume never reruns: requests get a day, not REQUEST_TIMEOUT_MS.
     */
    static RuntimeConfig withoutRequestDeadline(RuntimeConfig c) {
        RuntimeConfig.BatchingSettings b = c.batching();
        RuntimeConfig.BatchingSettings patient = new RuntimeConfig.BatchingSettings(b.maxBatchSize(), b.maxBatchDelay(),
                b.queueCapacity(), b.instances(), b.decoders(), java.time.Duration.ofDays(1), b.threading());
        return new RuntimeConfig(c.model(), c.store(), c.server(), patient, c.image(), c.warnings(), c.batch());
    }
}
