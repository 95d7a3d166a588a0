package com.modelfactory.runtime.batch;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.lifecycle.ExitCodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch mode over records: a CSV (header row, an extra id column, a record with an invalid value) and JSON
 * Lines through the PMML and ONNX-ML fixtures; each record's answer is scikit-learn's, the bad record alone is
 * an error line, and a resumed run adds nothing.
 */
class RecordBatchTest {

    @Test
    void csvThroughPmmlAnswersEachRowAndRecordsTheBadOneAsAnError(@TempDir Path dir) throws Exception {
        JsonObject ref = reference();
        JsonArray records = ref.getJsonArray("records");
        StringBuilder csv = new StringBuilder("id,sepal_length,sepal_width,petal_length,petal_width,colour\r\n");
        for (int i = 0; i < records.size(); i++) {
            JsonObject r = records.getJsonObject(i);
            String colour = i == 2 ? "\"pur\"\"ple\"" : r.getString("colour");
            csv.append(i).append(',').append(r.getDouble("sepal_length")).append(',').append(r.getDouble("sepal_width"))
                    .append(',').append(r.getDouble("petal_length")).append(',').append(r.getDouble("petal_width"))
                    .append(',').append(colour).append("\r\n");
        }
        Path input = dir.resolve("iris.csv");
        Files.writeString(input, csv);
        Path output = dir.resolve("out.jsonl");
        String[] args = {"--model", fixture("tabular/iris_logreg/model.pmml").toString(), "--input", input.toString(),
                "--output", output.toString()};
        assertEquals(ExitCodes.imagesFailed(1), BatchCommand.run(args, Map.of()));
        List<JsonObject> lines = lines(output);
        assertEquals(records.size(), lines.size());
        for (JsonObject line : lines) {
            int row = Integer.parseInt(line.getString("path").replace("iris.csv:", "")) - 2;
            if (row == 2) {
                assertTrue(line.getString("error").contains("pur\"ple"), line.encode());
                continue;
            }
            JsonObject answer = line.getJsonObject("answer");
            assertEquals(ref.getJsonArray("labels").getString(row), answer.getString("label"), line.encode());
            assertEquals(ref.getJsonArray("probabilities").getJsonArray(row).getDouble(1),
                    answer.getJsonObject("probabilities").getDouble("versicolor"), 1e-6);
        }
        // resumed: every record is there already
        String[] resume = {args[0], args[1], args[2], args[3], args[4], args[5], "--resume"};
        BatchCommand.run(resume, Map.of());
        assertEquals(records.size(), lines(output).size());
    }

    @Test
    void jsonLinesThroughOnnxMl(@TempDir Path dir) throws Exception {
        JsonObject ref = reference();
        JsonArray records = ref.getJsonArray("records");
        StringBuilder jsonl = new StringBuilder();
        records.forEach(r -> jsonl.append(((JsonObject) r).encode()).append('\n'));
        Path input = dir.resolve("iris.jsonl");
        Files.writeString(input, jsonl);
        Path output = dir.resolve("out.jsonl");
        assertEquals(0, BatchCommand.run(new String[] {"--model", fixture("tabular/iris_logreg/model.onnx").toString(),
                "--input", input.toString(), "--output", output.toString()}, Map.of()));
        List<JsonObject> lines = lines(output);
        assertEquals(records.size(), lines.size());
        for (JsonObject line : lines) {
            int row = Integer.parseInt(line.getString("path").replace("iris.jsonl:", "")) - 1;
            assertEquals(ref.getJsonArray("labels").getString(row), line.getJsonObject("answer").getString("label"));
            assertEquals(ref.getJsonArray("probabilities").getJsonArray(row).getDouble(0),
                    line.getJsonObject("answer").getJsonObject("probabilities").getDouble("setosa"), 1e-5);
        }
    }

    @Test
    void badRecordsInManyChunksOnOneWorkerAreRerunWithoutDeadlock(@TempDir Path dir) throws Exception {
        JsonObject ref = reference();
        JsonObject good = ref.getJsonArray("records").getJsonObject(0);
        StringBuilder jsonl = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < 300; i++) { // five chunks of 64, each with refused records
            boolean refused = i % 25 == 7;
            bad += refused ? 1 : 0;
            jsonl.append(good.copy().put("colour", refused ? "purple" : "blue").encode()).append('\n');
        }
        Path input = dir.resolve("many.jsonl");
        Files.writeString(input, jsonl);
        Path output = dir.resolve("out.jsonl");
        int expectedBad = bad;
        // one worker: the reruns of a refused chunk must not wait on the thread that refused it
        int code = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> BatchCommand.run(new String[] {"--model", fixture("tabular/iris_logreg/model.pmml").toString(),
                        "--input", input.toString(), "--output", output.toString(), "--instances", "1"}, Map.of()));
        assertEquals(ExitCodes.imagesFailed(expectedBad), code);
        List<JsonObject> lines = lines(output);
        assertEquals(300, lines.size());
        assertEquals(expectedBad, lines.stream().filter(l -> l.containsKey("error")).count());
    }

    @Test
    void csvReaderKeepsQuotedCommasNewlinesAndQuotes() throws Exception {
        RecordFiles.CsvReader r = new RecordFiles.CsvReader(new BufferedReader(new StringReader(
                "a,b\n\"x,1\",\"two\nlines\"\r\n\"say \"\"hi\"\"\",\n")));
        assertEquals(List.of("a", "b"), r.next());
        assertEquals(List.of("x,1", "two\nlines"), r.next());
        assertEquals(2, r.line());
        assertEquals(List.of("say \"hi\"", ""), r.next());
        assertEquals(4, r.line());
        assertEquals(null, r.next());
    }

    private static List<JsonObject> lines(Path file) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(new JsonObject(l));
        }
        return out;
    }

    private static JsonObject reference() throws Exception {
        return new JsonObject(Files.readString(fixture("tabular/iris_logreg/reference.json")));
    }
}
