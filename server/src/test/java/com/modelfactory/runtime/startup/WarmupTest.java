package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.testing.TestRuntime;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void theAutomaticBatchCapFollowsTheMeasuredItemTime() {
        assertEquals(32, Warmup.autoMaxBatch(0.00015, false), "a tiny CNN batches fully");
        assertEquals(4, Warmup.autoMaxBatch(0.016, false), "MobileNetV2 on one core: 64 ms hold 4 items");
        assertEquals(1, Warmup.autoMaxBatch(0.2, false), "a slow model runs item by item");
        assertEquals(32, Warmup.autoMaxBatch(0.2, true), "a GPU keeps the full default");
        assertEquals(32, Warmup.autoMaxBatch(-1, false), "no warm-up, no measurement: the default");
    }

    @Test
    void theServedCapIsTheAutomaticOneUnlessConfigured() throws Exception {
        try (TestRuntime auto = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString());
             TestRuntime fixed = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                     "--max-batch-size", "3")) {
            assertEquals(auto.server().service().maxBatchItems(),
                    new JsonObject(auto.get("/model").body()).getJsonObject("batching").getInteger("max_batch_size"));
            assertEquals(3, new JsonObject(fixed.get("/model").body()).getJsonObject("batching")
                    .getInteger("max_batch_size"));
        }
    }
}
