package com.modelfactory.runtime.pmml;

import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The tabular fixtures (scikit-learn models written as PMML and as ONNX-ML by generate_tabular.py) give
 * scikit-learn's own labels and probabilities: 1e-6 through PMML4S, 1e-5 through ONNX Runtime (float32).
 */
class TabularFixturesTest {

    /** ONNX files twice: ZipMap outputs served as tensors (the default) and read map by map. */
    @ParameterizedTest
    @ValueSource(strings = {"quality_gbdt/model.pmml", "iris_logreg/model.pmml", "quality_gbdt/model.onnx",
            "iris_logreg/model.onnx", "quality_gbdt/model.onnx maps", "iris_logreg/model.onnx maps",
            "parts_lightgbm/model.onnx"})
    void answersAsScikitLearn(String fileAndMode) throws Exception {
        String file = fileAndMode.split(" ")[0];
        Path model = fixture("tabular/" + file);
        JsonObject ref = reference(model.getParent());
        boolean pmml = file.endsWith(".pmml");
        LoadOptions options = LoadOptions.of(model);
        if (fileAndMode.endsWith(" maps")) {
            options = new LoadOptions(model, options.device(), 0, 0, null, null, null, null,
                    Map.of("ort.zipmap_tensor", "false"));
        }
        try (LoadedModel m = Engines.load(pmml ? ModelFormat.PMML : ModelFormat.ONNX, options);
             Predictor p = m.newPredictor()) {
            TabularSchema schema = m.tabular().orElseThrow();
            assertTrue(schema.classification());
            Map<String, Tensor> out = p.predict(columns(m, ref.getAsJsonArray("records")));
            List<String> classes = strings(ref.getAsJsonArray("classes"));
            JsonArray labels = ref.getAsJsonArray("labels");
            JsonArray probs = ref.getAsJsonArray("probabilities");
            double tolerance = pmml ? 1e-6 : 1e-5;
            for (int i = 0; i < labels.size(); i++) {
                assertEquals(labels.get(i).getAsString(), predicted(schema, out, i), file + " record " + i);
                for (int c = 0; c < classes.size(); c++) {
                    double want = probs.get(i).getAsJsonArray().get(c).getAsDouble();
                    assertEquals(want, probability(schema, out, i, classes.get(c)), tolerance,
                            file + " record " + i + " class " + classes.get(c));
                }
            }
        }
    }

    @Test
    void pmmlAppliesTheDeclaredMissingValueReplacement() throws Exception {
        Path model = fixture("tabular/iris_logreg/model.pmml");
        JsonObject missing = reference(model.getParent()).getAsJsonObject("missing_petal_width");
        JsonArray one = new JsonArray();
        one.add(missing.getAsJsonObject("record"));
        try (LoadedModel m = Engines.load(ModelFormat.PMML, LoadOptions.of(model)); Predictor p = m.newPredictor()) {
            TabularSchema schema = m.tabular().orElseThrow();
            assertEquals(false, schema.inputs().stream().filter(f -> f.name().equals("petal_width")).findFirst()
                    .orElseThrow().required());
            Map<String, Tensor> out = p.predict(columns(m, one));
            assertEquals(missing.get("label").getAsString(), predicted(schema, out, 0));
            JsonArray probs = missing.getAsJsonArray("probabilities");
            assertEquals(probs.get(0).getAsDouble(), probability(schema, out, 0, "setosa"), 1e-6);
            assertEquals(probs.get(2).getAsDouble(), probability(schema, out, 0, "virginica"), 1e-6);
        }
    }

    @Test
    void pmmlReturnInvalidIsTheClientsErrorNamingFieldAndValue() throws Exception {
        Path model = fixture("tabular/iris_logreg/model.pmml");
        JsonArray one = new JsonArray();
        JsonObject record = reference(model.getParent()).getAsJsonArray("records").get(0).getAsJsonObject().deepCopy();
        record.addProperty("colour", "purple");
        one.add(record);
        try (LoadedModel m = Engines.load(ModelFormat.PMML, LoadOptions.of(model)); Predictor p = m.newPredictor()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.predict(columns(m, one)));
            assertTrue(e.getMessage().contains("'colour'") && e.getMessage().contains("'purple'"), e.getMessage());
            assertTrue(e.getMessage().contains("blue"), e.getMessage());
        }
    }

    @Test
    void pmmlSchemaListsTheDataDictionary() throws Exception {
        try (LoadedModel m = Engines.load(ModelFormat.PMML, LoadOptions.of(fixture("tabular/iris_logreg/model.pmml")))) {
            TabularSchema s = m.tabular().orElseThrow();
            TabularSchema.InputField colour = s.inputs().stream().filter(f -> f.name().equals("colour")).findFirst()
                    .orElseThrow();
            assertEquals(List.of("blue", "green", "red"), colour.values());
            assertEquals("string", colour.type());
            assertEquals("species", s.target());
            assertEquals(DataType.BYTES, m.signature().input("colour").dataType());
            assertEquals(DataType.FP64, m.signature().input("sepal_length").dataType());
        }
    }

    @Test
    void malformedAndUnsupportedDocumentsNameTheLine(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.pmml");
        Files.writeString(broken, "<PMML version=\"4.4\">\n<DataDictionary>\n</PMML>\n");
        var e = assertThrows(com.modelfactory.runtime.engine.ModelLoadException.class,
                () -> Engines.load(ModelFormat.PMML, LoadOptions.of(broken)));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Path series = dir.resolve("series.pmml");
        Files.writeString(series, "<PMML version=\"4.4\">\n<DataDictionary/>\n\n<TimeSeriesModel functionName=\"timeSeries\"/>\n</PMML>\n");
        e = assertThrows(com.modelfactory.runtime.engine.ModelLoadException.class,
                () -> Engines.load(ModelFormat.PMML, LoadOptions.of(series)));
        assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("<TimeSeriesModel>"), e.getMessage());
        Path doctype = dir.resolve("xxe.pmml");
        Files.writeString(doctype, "<?xml version=\"1.0\"?>\n<!DOCTYPE PMML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                + "<PMML version=\"4.4\"><Header description=\"&x;\"/></PMML>\n");
        e = assertThrows(com.modelfactory.runtime.engine.ModelLoadException.class,
                () -> Engines.load(ModelFormat.PMML, LoadOptions.of(doctype)));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    static JsonObject reference(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("reference.json"))).getAsJsonObject();
    }

    /** Records as one column tensor per input, converted as the server does ({@link InputValidation#conform}). */
    static Map<String, Tensor> columns(LoadedModel m, JsonArray records) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int n = records.size();
        for (TensorSpec spec : m.signature().inputs()) {
            if (spec.dataType() == DataType.BYTES) {
                List<byte[]> values = new ArrayList<>();
                for (JsonElement r : records) {
                    JsonElement v = r.getAsJsonObject().get(spec.name());
                    values.add(v == null || v.isJsonNull() ? new byte[0] : v.getAsString().getBytes(StandardCharsets.UTF_8));
                }
                out.put(spec.name(), Tensor.ofBytes(new long[]{n}, values));
            } else {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    JsonElement v = records.get(i).getAsJsonObject().get(spec.name());
                    values[i] = v == null || v.isJsonNull() ? Double.NaN : v.getAsDouble();
                }
                out.put(spec.name(), Tensor.ofDoubles(new long[]{n}, values));
            }
        }
        return InputValidation.conform(m.signature(), m.inputRules(), out);
    }

    private static String predicted(TabularSchema s, Map<String, Tensor> out, int row) {
        TabularSchema.OutputField f = s.outputs().stream().filter(o -> o.role() == TabularSchema.Role.PREDICTED)
                .findFirst().orElseThrow();
        Tensor t = out.get(f.name());
        if (t.dataType() == DataType.BYTES) {
            return StandardCharsets.UTF_8.decode(t.bytesElement(row)).toString();
        }
        return Long.toString(t.getLong(row));
    }

    private static double probability(TabularSchema s, Map<String, Tensor> out, int row, String label) {
        for (TabularSchema.OutputField f : s.outputs()) {
            if (f.role() == TabularSchema.Role.PROBABILITY && label.equals(f.label())) {
                return out.get(f.name()).getDouble(row);
            }
            if (f.role() == TabularSchema.Role.PROBABILITIES && f.labels().contains(label)) {
                return out.get(f.name()).getDouble(row * f.labels().size() + f.labels().indexOf(label));
            }
        }
        throw new AssertionError("no probability of " + label + " in " + s.outputs());
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }
}
