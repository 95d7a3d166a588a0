package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tabular models (PMML through PMML4S, ONNX-ML through ONNX Runtime) served over the wire: records in on
 * /predict and TF Serving's :predict, columns and MLServer's pandas convention on v2, answers per record with
 * scikit-learn's own labels and probabilities (reference.json, made by generate_tabular.py).
 */
class TabularServingTest {

    @ParameterizedTest
    @ValueSource(strings = {"iris_logreg/model.pmml", "iris_logreg/model.onnx", "quality_gbdt/model.pmml",
            "quality_gbdt/model.onnx", "parts_lightgbm/model.onnx"})
    void predictAnswersEachRecordAsScikitLearn(String file) throws Exception {
        JsonObject ref = reference(file);
        double tolerance = file.endsWith(".pmml") ? 1e-6 : 1e-5;
        try (TestRuntime rt = TestRuntime.start("--model", fixture("tabular/" + file).toString())) {
            HttpResponse<String> r = rt.post("/predict", "application/json",
                    new JsonObject().put("instances", ref.getJsonArray("records")).toBuffer().getBytes());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject body = new JsonObject(r.body());
            assertEquals("tabular", body.getString("task"));
            assertMatches(ref, body.getJsonArray("predictions"), tolerance);

            // many clients at once: batched records keep their own answers
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            JsonArray records = ref.getJsonArray("records");
            for (int i = 0; i < records.size(); i++) {
                byte[] one = new JsonObject().put("instances", new JsonArray().add(records.getJsonObject(i)))
                        .toBuffer().getBytes();
                calls.add(CompletableFuture.supplyAsync(() -> post(rt, "/predict", one)));
            }
            for (int i = 0; i < calls.size(); i++) {
                JsonObject answer = new JsonObject(calls.get(i).join().body()).getJsonArray("predictions").getJsonObject(0);
                assertEquals(String.valueOf(ref.getJsonArray("labels").getValue(i)), String.valueOf(answer.getValue("label")));
            }
        }
    }

    @Test
    void pmmlOverTfServingV2AndMlServerPandasConvention() throws Exception {
        JsonObject ref = reference("iris_logreg/model.pmml");
        JsonArray records = ref.getJsonArray("records");
        try (TestRuntime rt = TestRuntime.start("--model", fixture("tabular/iris_logreg/model.pmml").toString())) {
            String name = rt.name();
            // TF Serving columns: {"inputs": {field: [values]}} answers columns by the model's output names
            JsonObject columns = new JsonObject();
            for (String f : List.of("sepal_length", "sepal_width", "petal_length", "petal_width", "colour")) {
                JsonArray values = new JsonArray();
                records.forEach(rec -> values.add(((JsonObject) rec).getValue(f)));
                columns.put(f, values);
            }
            HttpResponse<String> r = rt.post("/v1/models/" + name + ":predict", "application/json",
                    new JsonObject().put("inputs", columns).toBuffer().getBytes());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject outputs = new JsonObject(r.body()).getJsonObject("outputs");
            for (int i = 0; i < records.size(); i++) {
                assertEquals(ref.getJsonArray("labels").getString(i), outputs.getJsonArray("predicted_species").getString(i));
                assertEquals(ref.getJsonArray("probabilities").getJsonArray(i).getDouble(0),
                        outputs.getJsonArray("probability(setosa)").getDouble(i), 1e-6);
            }
            // TF Serving rows: lists of values in the model's input order
            JsonObject rec0 = records.getJsonObject(0);
            JsonArray row = new JsonArray().add(rec0.getValue("sepal_length")).add(rec0.getValue("sepal_width"))
                    .add(rec0.getValue("petal_length")).add(rec0.getValue("petal_width")).add(rec0.getValue("colour"));
            r = rt.post("/v1/models/" + name + ":predict", "application/json",
                    new JsonObject().put("instances", new JsonArray().add(row)).toBuffer().getBytes());
            assertEquals(ref.getJsonArray("labels").getString(0),
                    new JsonObject(r.body()).getJsonArray("predictions").getJsonObject(0).getString("label"), r.body());

            // MLServer's pandas codec: one input per column, [N, 1], FP64 / INT64 / BYTES, content_type "pd"
            JsonArray inputs = new JsonArray();
            for (String f : List.of("sepal_length", "sepal_width", "petal_length", "petal_width")) {
                inputs.add(new JsonObject().put("name", f).put("datatype", "FP64").put("shape", new JsonArray().add(2).add(1))
                        .put("data", new JsonArray().add(records.getJsonObject(0).getValue(f)).add(records.getJsonObject(9).getValue(f))));
            }
            inputs.add(new JsonObject().put("name", "colour").put("datatype", "BYTES").put("shape", new JsonArray().add(2).add(1))
                    .put("parameters", new JsonObject().put("content_type", "str"))
                    .put("data", new JsonArray().add(records.getJsonObject(0).getString("colour")).add(records.getJsonObject(9).getString("colour"))));
            r = rt.infer(new JsonObject().put("parameters", new JsonObject().put("content_type", "pd")).put("inputs", inputs));
            assertEquals(200, r.statusCode(), r.body());
            JsonArray out = new JsonObject(r.body()).getJsonArray("outputs");
            JsonObject label = find(out, "predicted_species");
            assertEquals("BYTES", label.getString("datatype"));
            assertEquals(List.of(ref.getJsonArray("labels").getString(0), ref.getJsonArray("labels").getString(9)),
                    label.getJsonArray("data").getList());
            assertEquals(ref.getJsonArray("probabilities").getJsonArray(9).getDouble(2),
                    find(out, "probability(virginica)").getJsonArray("data").getDouble(1), 1e-6);

            // metadata lists the fields with the DataDictionary's values and whether a record must carry them
            JsonObject meta = new JsonObject(rt.get("/v2/models/" + name).body());
            JsonArray fields = meta.getJsonObject("fields").getJsonArray("inputs");
            JsonObject colour = find(fields, "colour");
            assertEquals(List.of("blue", "green", "red"), colour.getJsonArray("values").getList());
            assertEquals(false, find(fields, "petal_width").getBoolean("required"));
            assertEquals(true, find(fields, "sepal_length").getBoolean("required"));
        }
    }

    @Test
    void badRecordsAre400sNamingFieldAndValueAndTheServerKeepsServing() throws Exception {
        JsonObject ref = reference("iris_logreg/model.pmml");
        JsonObject good = ref.getJsonArray("records").getJsonObject(0);
        try (TestRuntime rt = TestRuntime.start("--model", fixture("tabular/iris_logreg/model.pmml").toString())) {
            assertError(rt, good.copy().put("colour", "purple"), "colour", "purple");
            assertError(rt, good.copy().put("sepal_length", "long"), "sepal_length", "long");
            assertError(rt, good.copy().put("petal_lenght", 1.0), "petal_lenght", "does not take");
            HttpResponse<String> huge = rt.post("/predict", "application/json",
                    "{\"instances\": [{\"sepal_length\": 1e400}]}".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, huge.statusCode(), huge.body());
            String longValue = "x".repeat(100_000);
            HttpResponse<String> longOne = rt.post("/predict", "application/json", new JsonObject().put("instances",
                    new JsonArray().add(good.copy().put("colour", longValue))).toBuffer().getBytes());
            assertEquals(400, longOne.statusCode());
            assertTrue(longOne.body().length() < 1_000, "the error does not echo a 100 KB value whole");
            HttpResponse<String> r = rt.post("/predict", "application/json", "{\"instances\": [".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(new JsonObject(r.body()).containsKey("error"), r.body());
            r = rt.post("/predict", "application/json", "{\"instances\": []}".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), r.body());

            // the declared missing-value treatment: petal_width absent is replaced by the training mean
            JsonObject missing = ref.getJsonObject("missing_petal_width");
            r = rt.post("/predict", "application/json", new JsonObject().put("instances",
                    new JsonArray().add(missing.getJsonObject("record"))).toBuffer().getBytes());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject answer = new JsonObject(r.body()).getJsonArray("predictions").getJsonObject(0);
            assertEquals(missing.getString("label"), answer.getString("label"));
            assertEquals(missing.getJsonArray("probabilities").getDouble(1),
                    answer.getJsonObject("probabilities").getDouble("versicolor"), 1e-6);
        }
    }

    private static void assertError(TestRuntime rt, JsonObject record, String... words) throws Exception {
        HttpResponse<String> r = rt.post("/predict", "application/json",
                new JsonObject().put("instances", new JsonArray().add(record)).toBuffer().getBytes());
        assertEquals(400, r.statusCode(), r.body());
        String error = new JsonObject(r.body()).getString("error");
        for (String w : words) {
            assertTrue(error.contains(w), error);
        }
    }

    private static void assertMatches(JsonObject ref, JsonArray predictions, double tolerance) {
        JsonArray labels = ref.getJsonArray("labels");
        JsonArray classes = ref.getJsonArray("classes");
        assertEquals(labels.size(), predictions.size());
        for (int i = 0; i < labels.size(); i++) {
            JsonObject p = predictions.getJsonObject(i);
            assertEquals(String.valueOf(labels.getValue(i)), String.valueOf(p.getValue("label")), "record " + i);
            JsonObject probs = p.getJsonObject("probabilities");
            for (int c = 0; c < classes.size(); c++) {
                assertEquals(ref.getJsonArray("probabilities").getJsonArray(i).getDouble(c),
                        probs.getDouble(String.valueOf(classes.getValue(c))), tolerance, "record " + i + " class " + c);
            }
        }
    }

    private static JsonObject find(JsonArray named, String name) {
        for (Object o : named) {
            if (((JsonObject) o).getString("name").equals(name)) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError(name + " not in " + named);
    }

    private static HttpResponse<String> post(TestRuntime rt, String path, byte[] body) {
        try {
            return rt.post(path, "application/json", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject reference(String file) throws Exception {
        return new JsonObject(Files.readString(fixture("tabular/" + file).getParent().resolve("reference.json")));
    }
}
