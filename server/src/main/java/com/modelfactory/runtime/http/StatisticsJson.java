package com.modelfactory.runtime.http;

import com.modelfactory.runtime.serving.InferenceStatistics;
import com.modelfactory.runtime.serving.InferenceStatistics.Duration;
import com.modelfactory.runtime.serving.ModelInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One model's entry of Triton's statistics extension ({"model_stats": [...]}), durations in nanoseconds. */
final class StatisticsJson {
    private StatisticsJson() {
    }

    static JsonObject of(ModelInfo m, InferenceStatistics.Snapshot s) {
        JsonObject inference = new JsonObject().put("success", d(s.success())).put("fail", d(s.fail()))
                .put("queue", d(s.queue())).put("compute_input", d(s.computeInput()))
                .put("compute_infer", d(s.computeInfer())).put("compute_output", d(s.computeOutput()))
                .put("cache_hit", d(new Duration(0, 0))).put("cache_miss", d(new Duration(0, 0)));
        JsonArray batches = new JsonArray();
        for (InferenceStatistics.BatchStats b : new java.util.TreeMap<>(s.batchStats()).values()) {
            batches.add(new JsonObject().put("batch_size", b.batchSize()).put("compute_input", d(b.computeInput()))
                    .put("compute_infer", d(b.computeInfer())).put("compute_output", d(b.computeOutput())));
        }
        return new JsonObject().put("name", m.name()).put("version", m.version())
                .put("last_inference", s.lastInferenceMs()).put("inference_count", s.inferenceCount())
                .put("execution_count", s.executionCount()).put("inference_stats", inference)
                .put("response_stats", new JsonObject()).put("batch_stats", batches).put("memory_usage", new JsonArray());
    }

    private static JsonObject d(Duration d) {
        return new JsonObject().put("count", d.count()).put("ns", d.nanos());
    }
}
