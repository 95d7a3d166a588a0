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
            service = ModelStartup.start(config, metrics, located, name);
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
}
