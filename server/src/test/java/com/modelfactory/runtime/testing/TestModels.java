package com.modelfactory.runtime.testing;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.ServiceSettings;
import com.modelfactory.runtime.serving.ServingObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Serving cores around fake models, for tests of batching and of the front ends. */
public final class TestModels {
    private TestModels() {
    }

    public static ModelInfo info(String name, LoadedModel model, ServiceSettings s) {
        return new ModelInfo(name, "1", ModelFormat.ONNX, model.engine(), model.device(), model.signature(), null,
                "not an image model", List.of(), new ModelInfo.Source("test", "test", null, null, null),
                new ModelInfo.Batching(s.maxBatchItems(), s.maxBatchDelay().toNanos() / 1e6, s.queueCapacity(),
                        s.workers(), s.requestTimeout().toMillis()), new ModelInfo.Timings(0, 0L), 1, Map.of(), null);
    }

    /**
     * A started service. One decoder thread, so requests reach the queue in the order they were
     * accepted and tests can say which batch each lands in.
     */
    public static InferenceService service(String name, LoadedModel model, int maxBatch, long delayMs, int capacity,
                                           int workers, long timeoutMs, ServingObserver observer) {
        ServiceSettings s = new ServiceSettings(maxBatch, Duration.ofMillis(delayMs), capacity, workers, 1,
                Duration.ofMillis(timeoutMs), 100_000);
        InferenceService service = new InferenceService(model, info(name, model, s),
                new ModelInputs(model.signature(), null, "not an image model"), s, observer);
        service.start();
        return service;
    }
}
