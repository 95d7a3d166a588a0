package com.modelfactory.runtime.http;

import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServingState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** GET /model: what is served and how, or how far start-up has got. */
final class ModelDescription {
    private ModelDescription() {
    }

    /** Before the model is loaded: the phase and, during a download, its progress. */
    static JsonObject starting(ServingState state) {
        ServingState.Progress p = state.progress();
        JsonObject progress = new JsonObject().put("bytes", p.bytes()).put("retries", p.retries());
        if (p.totalBytes() >= 0) {
            progress.put("total_bytes", p.totalBytes());
        }
        return new JsonObject().put("status", state.phase().name().toLowerCase()).put("download", progress);
    }

    static JsonObject of(ModelInfo m, ServingState state) {
        ModelInfo.Source src = m.source();
        JsonObject body = new JsonObject().put("status", state.phase().name().toLowerCase())
                .put("source", src.description());
        putIfSet(body, "cache_key", src.cacheKey());
        putIfSet(body, "from_cache", src.fromCache());
        body.put("format_reason", src.formatReason());
        putIfSet(body, "model_path", src.modelPath());
        body.put("format", m.format().id()).put("platform", m.platform())
                .put("load_time_ms", m.timings().loadMs()).put("warmup_time_ms", m.timings().warmupMs())
                .put("intra_op_threads", m.intraOpThreads())
                .put("name", m.name()).put("version", m.version()).put("engine", m.engine()).put("device", m.device());
        body.put("signature", new JsonObject().put("inputs", MetadataRoutes.tensors(m.signature().inputs()))
                .put("outputs", MetadataRoutes.tensors(m.signature().outputs()))
                .put("batched", m.signature().batched()).put("max_batch", m.signature().maxBatch()));
        body.put("preprocessing", new JsonObject(m.preprocessing()));
        body.put("task", new JsonObject(m.task().describe()));
        if (m.imageInput() != null) {
            body.put("encoded_images", encodedImages(m.imageInput()));
        }
        body.put("engine_details", new JsonObject(m.engineDetails()));
        ModelInfo.Batching b = m.batching();
        body.put("batching", new JsonObject().put("max_batch_size", b.maxBatchSize())
                .put("max_batch_delay_ms", b.maxBatchDelayMs()).put("queue_capacity", b.queueCapacity())
                .put("instances", b.instances()).put("request_timeout_ms", b.requestTimeoutMs()));
        return body;
    }

    /** How a client sends encoded images (JPEG, PNG...) to the image input instead of a pixel tensor. */
    private static JsonObject encodedImages(String input) {
        return new JsonObject().put("input", input).put("datatype", "BYTES").put("shape", new JsonArray().add(-1))
                .put("formats", new JsonArray(List.of(MetadataRoutes.IMAGE_FORMATS.split(","))))
                .put("v2_json", "\"data\": [\"<base64 of the image>\", ...]")
                .put("v2_binary", "binary_data_size: per image a 4-byte little-endian length, then its bytes")
                .put("v1", "{\"b64\": \"<base64 of the image>\"} per instance or in \"inputs\"");
    }

    private static void putIfSet(JsonObject o, String key, Object value) {
        if (value != null) {
            o.put(key, value);
        }
    }
}
