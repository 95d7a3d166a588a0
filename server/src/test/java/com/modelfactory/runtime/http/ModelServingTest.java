package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.doubles;
import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static com.modelfactory.runtime.testing.TestRuntime.flatten;
import static com.modelfactory.runtime.testing.TestRuntime.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every fixture made by a real framework (torch, TensorFlow, Keras 3), served over HTTP from its folder
 * with its format detected, matches the framework's own outputs to 1e-4: through /v2 infer at batch > 1
 * and batch 1, and through /predict with the test image where the fixture has an image reference.
 */
class ModelServingTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "onnx/tiny_cnn", "onnx/mnist_flat", "onnx/fixed_batch_nhwc", "onnx/initializer_inputs",
        "torchscript/tiny_cnn_traced", "torchscript/tiny_cnn_scripted", "torchscript/multi_io", "torchscript/dict_out",
        "tf_savedmodel/tiny_cnn", "tf_savedmodel/keras_export", "tf_frozen/tiny_cnn",
        "tf1_checkpoint/tiny_cnn_steps", "tf1_checkpoint/tiny_cnn_abs_paths",
        "keras_h5/sequential_mlp", "keras_h5/functional_cnn", "keras_h5/separable", "keras_h5/two_in_two_out",
        "keras_h5/nested", "keras_h5/zoo_1d", "keras_h5/zoo_act", "keras_h5/zoo_merge", "keras_h5/zoo_embed",
        "keras_h5/zoo_norm", "keras_h5/zoo_channels_first", "keras_h5/weights_and_json"})
    void servesFixtureMatchingItsFrameworkReference(String dir) throws Exception {
        JsonObject ref = TestRuntime.reference(dir);
        List<String> flags = new ArrayList<>(List.of("--model", fixture(dir).toString()));
        if (dir.equals("keras_h5/weights_and_json")) {
            flags.addAll(List.of("--model-file", "weights.h5"));
        }
        try (TestRuntime rt = TestRuntime.start(flags.toArray(String[]::new))) {
            HttpResponse<String> r = rt.infer(TestRuntime.inferRequest(ref));
            assertEquals(200, r.statusCode(), r.body());
            assertOutputsMatch(ref.getJsonObject("outputs"), new JsonObject(r.body()), -1);

            r = rt.infer(TestRuntime.inferRequest(firstRow(ref)));
            assertEquals(200, r.statusCode(), r.body());
            assertOutputsMatch(ref.getJsonObject("outputs"), new JsonObject(r.body()), 1);

            JsonObject image = ref.getJsonObject("image");
            if (image != null) {
                Path png = fixture(dir).resolve(image.getString("file")).normalize();
                HttpResponse<String> p = rt.post("/predict", "image/png", Files.readAllBytes(png));
                assertEquals(200, p.statusCode(), p.body());
                JsonObject expected = image.getJsonObject("outputs");
                double[] want = doubles(expected.getJsonObject(expected.fieldNames().iterator().next())
                        .getJsonArray("data"));
                double diff = maxAbsDiff(want, flatten(new JsonObject(p.body()).getJsonArray("predictions")));
                assertTrue(diff <= TOLERANCE, "/predict differs by " + diff);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void modelWithoutBatchDimensionAnswersWholeTensors() throws Exception {
        Path shared = TestRuntime.sharedModels();
        org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "../shared/models is absent: skipped");
        // TF Serving's half_plus_two session bundle: x has no static shape, so no batch dimension.
        try (TestRuntime rt = TestRuntime.start("--model",
                shared.resolve("tf1_checkpoint/tensorflow_serving/half_plus_two").toString())) {
            JsonObject meta = new JsonObject(rt.get("/v2/models/" + rt.name()).body());
            String x = meta.getJsonArray("inputs").getJsonObject(0).getString("name");
            HttpResponse<String> r = rt.infer(new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
                    .put("name", x).put("datatype", "FP32").put("shape", new JsonArray().add(3))
                    .put("data", new JsonArray().add(1).add(2).add(5)))));
            assertEquals(200, r.statusCode(), r.body());
            JsonObject out = new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0);
            assertEquals(List.of(3), out.getJsonArray("shape").getList());
            assertTrue(maxAbsDiff(new double[] {2.5, 3, 4.5}, doubles(out.getJsonArray("data"))) <= 1e-6, r.body());
        }
    }

    /** The reference with every input cut to its first row. */
    static JsonObject firstRow(JsonObject ref) {
        JsonObject copy = ref.copy();
        JsonObject inputs = copy.getJsonObject("inputs");
        for (String name : inputs.fieldNames()) {
            JsonObject t = inputs.getJsonObject(name);
            JsonArray shape = t.getJsonArray("shape");
            long rows = shape.getLong(0);
            int per = (int) (t.getJsonArray("data").size() / rows);
            JsonArray s = shape.copy();
            s.set(0, 1);
            t.put("shape", s).put("data", new JsonArray(t.getJsonArray("data").getList().subList(0, per)));
        }
        return copy;
    }

    /** Compares the first {@code rows} rows (-1 = all) of every reference output with the response. */
    static void assertOutputsMatch(JsonObject expected, JsonObject response, int rows) {
        JsonArray outputs = response.getJsonArray("outputs");
        assertEquals(expected.size(), outputs.size(), response.encode());
        for (int i = 0; i < outputs.size(); i++) {
            JsonObject got = outputs.getJsonObject(i);
            JsonObject want = expected.getJsonObject(got.getString("name"));
            assertTrue(want != null, "unexpected output " + got.getString("name") + "; expected " + expected.fieldNames());
            double[] w = doubles(want.getJsonArray("data"));
            long allRows = want.getJsonArray("shape").getLong(0);
            if (rows > 0) {
                w = Arrays.copyOfRange(w, 0, (int) (w.length / allRows * rows));
            }
            double diff = maxAbsDiff(w, doubles(got.getJsonArray("data")));
            assertTrue(diff <= TOLERANCE, got.getString("name") + " differs by " + diff);
            assertEquals(rows > 0 ? rows : allRows, got.getJsonArray("shape").getLong(0));
        }
    }
}
