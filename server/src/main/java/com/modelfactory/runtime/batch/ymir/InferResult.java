package com.modelfactory.runtime.batch.ymir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YMIR's {@code infer-result.json} for a classifier, made from the batch records (top-k with labels),
 * streamed, so its size is no memory bound. YMIR defines no classification result (ymir marks
 * classification "not implemented"); this follows its detection layout, an object keyed by each
 * asset's base name under the task type:
 * <pre>
 * {"classification": {
 *   "5e0f3c0b9a1d2e7c.jpg": {"classes": [{"class_id": 3, "class_name": "cat", "score": 0.91}, ...]},
 *   "77d21ab04c3e9f10": {"classes": [], "error": "not an image: ..."}}}
 * </pre>
 * Classes are ordered by score, highest first; {@code class_name} is the label of {@code class_id} from
 * config.yaml's class_names (else labels.txt, else the id as text); {@code score} is the model's output.
 */
final class InferResult {
    private static final Logger log = LoggerFactory.getLogger(InferResult.class);
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private InferResult() {
    }

    /** @return the number of assets written */
    static int write(Path records, Path target) throws IOException {
        int[] assets = {0};
        OutFiles.replace(target, out -> {
            try (BufferedReader in = Files.newBufferedReader(records, StandardCharsets.UTF_8);
                 JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeObjectFieldStart("classification");
                Set<String> names = new HashSet<>();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        writeAsset(g, new JsonObject(line), names);
                        assets[0]++;
                    }
                }
                g.writeEndObject();
                g.writeEndObject();
            }
        });
        return assets[0];
    }

    private static void writeAsset(JsonGenerator g, JsonObject record, Set<String> names) throws IOException {
        String path = record.getString("path");
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!names.add(name)) {
            log.warn("YMIR: two assets are named {}; the platform keys results by base name, so only the last counts",
                    name);
        }
        g.writeObjectFieldStart(name);
        g.writeArrayFieldStart("classes");
        JsonArray best = record.getJsonArray("top_k");
        if (best != null) {
            for (int i = 0; i < best.size(); i++) {
                JsonObject c = best.getJsonObject(i);
                int id = c.getInteger("index");
                g.writeStartObject();
                g.writeNumberField("class_id", id);
                g.writeStringField("class_name", c.getString("label", Integer.toString(id)));
                Object score = c.getValue("score");
                if (score instanceof Number n) {
                    g.writeNumberField("score", n.doubleValue());
                } else {
                    g.writeStringField("score", String.valueOf(score)); // NaN or an infinity, as in the record
                }
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        if (record.containsKey("error")) {
            g.writeStringField("error", record.getString("error"));
        }
        g.writeEndObject();
    }
}
