package com.modelfactory.runtime.pmml;

import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real PMML files made by others (the PMML 4.4 specification's examples, KNIME's iris tree) give the answers
 * the specification works out: a scorecard's score and reason codes, a clustering model's cluster and
 * distance, TreeModel missing-value strategies (weightedConfidence, defaultChild, aggregateNodes).
 *
 * <p>The files are third-party data, so they are not in this repository: the test reads them from the shared
 * model corpus ({@code shared/models/pmml/pmml4s}, beside the clone) or from {@code -Dpmml.corpus.dir}
 * (autodeployai/pmml4s's {@code src/test/resources/models/{scorecard,cluster,tree}} flattened), and skips
 * with a message when neither is there. The records and answers are ours: {@code tabular/pmml4s/cases.json}.
 */
class PmmlCorpusTest {

    private static Path corpus() {
        String own = System.getProperty("pmml.corpus.dir");
        String shared = System.getProperty("shared.models.dir");
        Path dir = own != null ? Path.of(own) : shared != null ? Path.of(shared, "pmml", "pmml4s") : null;
        org.junit.jupiter.api.Assumptions.assumeTrue(dir != null && Files.isDirectory(dir),
                "PMML corpus not found at " + dir + " (shared/models/pmml/pmml4s, or -Dpmml.corpus.dir); skipping");
        return dir;
    }

    @Test
    void specificationExamplesAnswerAsTheSpecificationSays() throws Exception {
        JsonObject cases = JsonParser.parseString(Files.readString(fixture("tabular/pmml4s/cases.json")))
                .getAsJsonObject();
        Path dir = corpus();
        int checked = 0;
        for (JsonElement c : cases.getAsJsonArray("cases")) {
            JsonObject one = c.getAsJsonObject();
            String file = one.get("file").getAsString();
            JsonArray records = new JsonArray();
            records.add(one.getAsJsonObject("record"));
            try (LoadedModel m = Engines.load(ModelFormat.PMML, LoadOptions.of(dir.resolve(file)));
                 Predictor p = m.newPredictor()) {
                Map<String, Tensor> out = p.predict(TabularFixturesTest.columns(m, records));
                for (Map.Entry<String, JsonElement> e : one.getAsJsonObject("expect").entrySet()) {
                    Tensor t = out.get(e.getKey());
                    String where = file + " " + one.get("record") + " -> " + e.getKey();
                    if (t.dataType() == DataType.BYTES) {
                        assertEquals(e.getValue().getAsString(), StandardCharsets.UTF_8.decode(t.bytesElement(0)).toString(),
                                where);
                    } else {
                        assertEquals(e.getValue().getAsDouble(), t.getDouble(0), 1e-9, where);
                    }
                    checked++;
                }
            }
        }
        assertEquals(35, checked);
    }
}
