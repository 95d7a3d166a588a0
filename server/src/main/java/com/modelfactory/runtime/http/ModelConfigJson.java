package com.modelfactory.runtime.http;

import com.modelfactory.runtime.serving.ModelConfigView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The model configuration as Triton prints it on GET .../config: {@code inference.ModelConfig} as proto3
 * JSON with the original snake_case names, default-valued fields present (Triton's image_client wraps
 * the answer in an AttrDict, where a missing key raises), enums as names and int64 fields as numbers.
 */
final class ModelConfigJson {
    private ModelConfigJson() {
    }

    static JsonObject of(ModelConfigView c, String device) {
        JsonObject o = new JsonObject().put("name", c.name()).put("platform", c.platform()).put("backend", c.backend())
                .put("runtime", "").put("version_policy", new JsonObject().put("latest", new JsonObject().put("num_versions", 1)))
                .put("max_batch_size", c.maxBatchSize()).put("input", inputs(c)).put("output", outputs(c))
                .put("batch_input", new JsonArray()).put("batch_output", new JsonArray());
        if (c.maxBatchSize() > 0) {
            o.put("dynamic_batching", new JsonObject().put("preferred_batch_size", new JsonArray(c.preferredBatchSizes()))
                    .put("max_queue_delay_microseconds", c.maxQueueDelayUs()).put("preserve_ordering", false)
                    .put("priority_levels", 0).put("default_priority_level", 0).put("priority_queue_policy", new JsonObject()));
        }
        return o.put("instance_group", new JsonArray().add(instanceGroup(c, device)))
                .put("default_model_filename", c.defaultModelFile()).put("cc_model_filenames", new JsonObject())
                .put("metric_tags", new JsonObject()).put("parameters", new JsonObject()).put("model_warmup", new JsonArray());
    }

    private static JsonArray inputs(ModelConfigView c) {
        JsonArray a = new JsonArray();
        for (ModelConfigView.Tensor t : c.inputs()) {
            a.add(new JsonObject().put("name", t.name()).put("data_type", t.dataType()).put("format", t.format())
                    .put("dims", dims(t.dims())).put("is_shape_tensor", false).put("allow_ragged_batch", false)
                    .put("optional", false).put("is_non_linear_format_io", false));
        }
        return a;
    }

    private static JsonArray outputs(ModelConfigView c) {
        JsonArray a = new JsonArray();
        for (ModelConfigView.Tensor t : c.outputs()) {
            a.add(new JsonObject().put("name", t.name()).put("data_type", t.dataType()).put("dims", dims(t.dims()))
                    .put("label_filename", "").put("is_shape_tensor", false).put("is_non_linear_format_io", false));
        }
        return a;
    }

    private static JsonObject instanceGroup(ModelConfigView c, String device) {
        JsonArray gpus = new JsonArray();
        if (c.gpu() && device.startsWith("cuda:")) {
            gpus.add(Integer.parseInt(device.substring("cuda:".length())));
        }
        return new JsonObject().put("name", c.name() + "_0").put("kind", c.gpu() ? "KIND_GPU" : "KIND_CPU")
                .put("count", c.instanceCount()).put("gpus", gpus).put("secondary_devices", new JsonArray())
                .put("profile", new JsonArray()).put("passive", false).put("host_policy", "");
    }

    private static JsonArray dims(long[] dims) {
        JsonArray a = new JsonArray();
        for (long d : dims) {
            a.add(d);
        }
        return a;
    }
}
