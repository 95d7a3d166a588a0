package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.doubles;
import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static com.modelfactory.runtime.testing.TestRuntime.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.DistributionSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once through the real server and the real ONNX model (the bundled tiny CNN): every
 * client gets the prediction for its own input, and concurrent requests really are batched.
 */
class ConcurrentInferenceTest {
    private static final double TOLERANCE = 1e-4;
    private static final int PIXELS = 3 * 32 * 32;
    private static final String MODEL = fixture("onnx/tiny_cnn").resolve("model.onnx").toString();

    /** Distinct inputs: the two framework reference rows first, then seeded random images. */
    private static List<float[]> inputs(int n) throws Exception {
        double[] ref = doubles(TestRuntime.reference("onnx/tiny_cnn").getJsonObject("inputs").getJsonObject("input")
                .getJsonArray("data"));
        List<float[]> out = new ArrayList<>();
        for (int row = 0; row < 2; row++) {
            float[] x = new float[PIXELS];
            for (int i = 0; i < PIXELS; i++) {
                x[i] = (float) ref[row * PIXELS + i];
            }
            out.add(x);
        }
        Random random = new Random(6);
        while (out.size() < n) {
            float[] x = new float[PIXELS];
            for (int i = 0; i < PIXELS; i++) {
                x[i] = random.nextFloat();
            }
            out.add(x);
        }
        return out;
    }

    private static JsonObject request(float[] x) {
        JsonArray data = new JsonArray();
        for (float v : x) {
            data.add(v);
        }
        return new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("datatype", "FP32").put("shape", new JsonArray().add(1).add(3).add(32).add(32)).put("data", data)));
    }

    /** Sends every input at once (one connection each) and returns the logits each client got. */
    private static List<double[]> inferAll(TestRuntime rt, List<float[]> inputs) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = rt.uri("/v2/models/" + rt.name() + "/infer");
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (float[] x : inputs) {
            sent.add(client.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request(x).encode())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            HttpResponse<String> r = sent.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "client " + i + ": " + r.body());
            JsonObject logits = new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0);
            assertEquals(new JsonArray().add(1).add(10), logits.getJsonArray("shape"));
            out.add(doubles(logits.getJsonArray("data")));
        }
        return out;
    }

    /** The engine's answer for one input alone, at batch 1, outside the batcher. */
    private static double[] alone(Predictor p, float[] x) {
        Tensor y = p.predict(Map.of("input", Tensor.ofFloats(new long[] {1, 3, 32, 32}, x))).get("logits");
        float[] f = y.toFloats();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static DistributionSummary batchSizes(TestRuntime rt) {
        return rt.server().metrics().registry().get("model_batch_size").summary();
    }

    @Test
    void sixtyFourConcurrentClientsEachGetTheirOwnPrediction() throws Exception {
        List<float[]> inputs = inputs(64);
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--max-batch-size", "16",
                "--max-batch-delay-ms", "20", "--instances", "2")) {
            List<double[]> got = inferAll(rt, inputs);

            JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
            double[] framework = doubles(ref.getJsonObject("outputs").getJsonObject("logits").getJsonArray("data"));
            for (int row = 0; row < 2; row++) {
                double[] expected = java.util.Arrays.copyOfRange(framework, row * 10, row * 10 + 10);
                assertTrue(maxAbsDiff(expected, got.get(row)) <= TOLERANCE, "client " + row + " vs torch reference");
            }
            List<double[]> expected = new ArrayList<>();
            try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(Path.of(MODEL)));
                 Predictor p = m.newPredictor()) {
                for (float[] x : inputs) {
                    expected.add(alone(p, x));
                }
            }
            for (int i = 0; i < inputs.size(); i++) {
                assertTrue(maxAbsDiff(expected.get(i), got.get(i)) <= TOLERANCE,
                        "client " + i + " did not get the prediction for its own input");
                // and not some other client's: the inputs are distinct enough to tell the answers apart
                for (int j = 0; j < inputs.size(); j++) {
                    if (j != i) {
                        assertTrue(maxAbsDiff(expected.get(j), got.get(i)) > TOLERANCE,
                                "the answers for inputs " + i + " and " + j + " cannot be told apart");
                    }
                }
            }
            DistributionSummary sizes = batchSizes(rt);
            assertEquals(64, (long) sizes.totalAmount(), "every request ran exactly once");
            assertTrue(sizes.count() < 64, "64 concurrent requests ran in " + sizes.count() + " batches: no batching");
            assertTrue(sizes.max() <= 16, "a batch exceeded max_batch_size: " + sizes.max());
        }
    }

    @Test
    void withMaxBatchSizeOneNoBatchHoldsMoreThanOneItem() throws Exception {
        List<float[]> inputs = inputs(32);
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--max-batch-size", "1",
                "--max-batch-delay-ms", "20", "--instances", "2")) {
            inferAll(rt, inputs);
            DistributionSummary sizes = batchSizes(rt);
            assertEquals(32, sizes.count());
            assertEquals(32, (long) sizes.totalAmount());
            double atMostOne = 0;
            for (CountAtBucket b : sizes.takeSnapshot().histogramCounts()) {
                if (b.bucket() == 1.0) {
                    atMostOne = b.count();
                }
            }
            assertEquals(32, atMostOne, "the batch-size histogram's le=1 bucket holds every batch");
        }
    }
}
