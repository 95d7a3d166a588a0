package com.modelfactory.runtime.batch;

import static com.modelfactory.runtime.batch.BatchFixtures.MODEL;
import static com.modelfactory.runtime.batch.BatchFixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch run gives, for every image, exactly the numbers /predict answers for the same file (same
 * decode, shaping and model; batching changes nothing), and records what it cannot decode.
 */
class BatchMatchesPredictTest {
    @TempDir
    static Path tmp;
    static Path images;
    static TestRuntime server;

    @BeforeAll
    static void dataset() throws Exception {
        images = tmp.resolve("images");
        BatchFixtures.fixtureImages(images);
        BatchFixtures.generated(images, 120, 7);
        BatchFixtures.corruptJpeg(images.resolve("broken/cut.jpg"));
        Files.writeString(images.resolve("notes.txt"), "not an image");
        Files.writeString(images.resolve("fake.jpg"), "a text file named like an image");
        server = TestRuntime.start("--model", MODEL);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void outputsEqualPredictForEveryFileAndTheCorruptOneIsRecorded() throws Exception {
        Path out = tmp.resolve("outputs.jsonl");
        int code = batch("--model", MODEL, "--input", images.toString(), "--output", out.toString());
        Map<String, String> records = BatchFixtures.records(out);

        assertEquals(ExitCodes.imagesFailed(1), code, "one image could not be decoded");
        assertEquals(11, code);
        assertEquals(6 + 120 + 1, records.size(), "every image once, the two non-images (by content) skipped");
        assertFalse(records.containsKey("notes.txt") || records.containsKey("fake.jpg"));
        assertTrue(records.containsKey("no-extension"), "images are recognised by content");
        String broken = new JsonObject(records.get("broken/cut.jpg")).getString("error");
        assertTrue(broken != null && broken.contains("decoded"), records.get("broken/cut.jpg"));

        for (Map.Entry<String, String> e : records.entrySet()) {
            if (e.getKey().equals("broken/cut.jpg")) {
                continue;
            }
            JsonObject record = new JsonObject(e.getValue());
            JsonObject predicted = predict(images.resolve(e.getKey()), "");
            JsonObject expected = predicted.getJsonArray("outputs").getJsonObject(0);
            JsonObject logits = record.getJsonObject("outputs").getJsonObject("logits");
            assertEquals(expected.getString("datatype"), logits.getString("datatype"));
            assertEquals(expected.getJsonArray("shape"), logits.getJsonArray("shape"), e.getKey());
            assertEquals(expected.getJsonArray("data"), logits.getJsonArray("data"), e.getKey() + ": numbers differ");
        }
    }

    @Test
    void topKEqualsPredictTopKWithLabels() throws Exception {
        Path out = tmp.resolve("top3.jsonl");
        Path index = tmp.resolve("index.txt");
        // An index file: relative lines resolved against its folder, a TAB-separated second field ignored.
        Files.writeString(index, "images/cat32.png\tannotation\nimages/rgb64x48.jpg\n\n" + images.resolve("digit28.png") + "\n");
        assertEquals(0, batch("--model", MODEL, "--input", index.toString(), "--output", out.toString(), "--top-k", "3"));
        Map<String, String> records = BatchFixtures.records(out);
        assertEquals(3, records.size());
        for (Map.Entry<String, String> e : records.entrySet()) {
            Path file = Path.of(e.getKey()).isAbsolute() ? Path.of(e.getKey()) : tmp.resolve(e.getKey());
            JsonArray expected = predict(file, "?top_k=3").getJsonArray("top_k");
            JsonArray actual = new JsonObject(e.getValue()).getJsonArray("top_k");
            assertEquals(expected, actual, e.getKey());
            assertTrue(actual.getJsonObject(0).containsKey("label"), "labels.txt beside the model gives labels");
        }
    }

    private static JsonObject predict(Path file, String query) throws Exception {
        HttpResponse<String> r = server.post("/predict" + query, "application/octet-stream", Files.readAllBytes(file));
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }
}
