package com.modelfactory.runtime.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WarmupTest {

    @Test
    void theAutomaticBatchCapFollowsTheMeasuredItemTime() {
        assertEquals(32, Warmup.autoMaxBatch(0.00015, false), "a tiny CNN batches fully");
        assertEquals(2, Warmup.autoMaxBatch(0.005, false), "MobileNetV2 on two threads: 12 ms hold 2 items");
        assertEquals(1, Warmup.autoMaxBatch(0.0065, false), "a batch never holds more than 12 ms of work");
        assertEquals(1, Warmup.autoMaxBatch(0.016, false), "MobileNetV2 on a slower core runs item by item");
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

    @Test
    void theConcurrentComparisonMeasuresBothSizesOnEveryCaller() throws Exception {
        double[] rates = warmup(model(Integer.MAX_VALUE)).singleAndBatched(4, 2);
        assertTrue(rates[0] > 0 && rates[1] > 0, rates[0] + " / " + rates[1]);
    }

    /** A caller that fails must not leave the others waiting for it at the next phase: start-up fails. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against the hang this test is about, not a speed check
    void oneCallerFailingInBatchesFailsTheWarmUpInsteadOfHangingTheOthers() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> warmup(model(Integer.MAX_VALUE, 1)).singleAndBatched(4, 2));
        assertTrue(e.getMessage().contains("batch 4") && e.getMessage().contains("no batches here"), e.getMessage());
        e = assertThrows(ModelLoadException.class, () -> warmup(model(1)).singleAndBatched(4, 3));
        assertTrue(e.getMessage().contains("no batches here"), "every caller failing: " + e.getMessage());
    }

    private static Warmup warmup(LoadedModel model) {
        return new Warmup(model, new ModelInputs(model.signature(), null, "not an image model"));
    }

    private static LoadedModel model(int largest) {
        return model(largest, largest);
    }

    /**
     * x FP32 [-1, 4] -> y FP32 [-1, 1]; a batch of more than {@code largest} items throws, on the second
     * predictor made more than {@code largestOnSecond}: one caller of several fails.
     */
    private static LoadedModel model(int largest, int largestOnSecond) {
        AtomicInteger predictors = new AtomicInteger();
        Signature sig = Signature.infer(List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 4})),
                List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));
        return new LoadedModel() {
            @Override
            public Signature signature() {
                return sig;
            }

            @Override
            public String engine() {
                return "fake";
            }

            @Override
            public String device() {
                return "cpu";
            }

            @Override
            public Predictor newPredictor() {
                int limit = predictors.incrementAndGet() == 2 ? largestOnSecond : largest;
                return Predictor.sharedSession(in -> {
                    long n = in.get("x").shape()[0];
                    if (n > limit) {
                        throw new IllegalStateException("no batches here");
                    }
                    return Map.of("y", Tensor.allocate(DataType.FP32, new long[] {n, 1}));
                });
            }

            @Override
            public void close() {
            }
        };
    }
}
