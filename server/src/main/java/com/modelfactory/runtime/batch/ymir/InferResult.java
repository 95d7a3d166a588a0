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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YMIR's {@code infer-result.json} made from the batch records, streamed (its size is no memory bound),
 * in the layout of the task's {@link ResultKind} (../shared/YMIR.md section 8):
 * <ul>
 * <li>detection: {@code {"detection": {"<base name>": {"boxes": [{"box": {"x", "y", "w", "h"},
 *     "class_name", "score"}]}}}} with integer box fields (the platform parses them into int32), the key
 *     {@code annotations} instead of {@code boxes} before protocol 1.0.0;</li>
 * <li>semantic / instance segmentation: a COCO document (images, categories, annotations with RLE
 *     segmentation, bbox, area, iscrowd, and confidence for instances);</li>
 * <li>classification (no YMIR layout exists): {@code {"classification": {"<base name>": {"classes":
 *     [{"class_id", "class_name", "score"}]}}}}.</li>
 * </ul>
 * With class_names given, a class the model knows but the list lacks is dropped (logged once per class).
 */
final class InferResult {
    private static final Logger log = LoggerFactory.getLogger(InferResult.class);
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private final ResultKind kind;
    private final boolean boxesKey;
    private final List<String> classNames;
    private final Set<Integer> droppedClasses = new HashSet<>();

    /**
     * @param boxesKey   write {@code boxes} (protocol 1.0.0 and later), else {@code annotations}
     * @param classNames config.yaml's class_names (empty: every class the model names)
     */
    InferResult(ResultKind kind, boolean boxesKey, List<String> classNames) {
        this.kind = kind;
        this.boxesKey = boxesKey;
        this.classNames = List.copyOf(classNames);
    }

    /** @return the number of assets written */
    int write(Path records, Path target) throws IOException {
        int[] assets = {0};
        OutFiles.replace(target, out -> {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                switch (kind) {
                    case CLASSIFICATION, DETECTION -> {
                        g.writeObjectFieldStart(kind == ResultKind.DETECTION ? "detection" : "classification");
                        Set<String> names = new HashSet<>();
                        each(records, r -> {
                            asset(g, r, names);
                            assets[0]++;
                        });
                        g.writeEndObject();
                    }
                    default -> assets[0] = coco(g, records);
                }
                g.writeEndObject();
            }
        });
        return assets[0];
    }

    private interface RecordWriter {
        void write(JsonObject record) throws IOException;
    }

    private static void each(Path records, RecordWriter w) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(records, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    w.write(new JsonObject(line));
                }
            }
        }
    }

    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private void asset(JsonGenerator g, JsonObject record, Set<String> names) throws IOException {
        String name = baseName(record.getString("path"));
        if (!names.add(name)) {
            log.warn("YMIR: two assets are named {}; the platform keys results by base name, so only the last counts",
                    name);
        }
        g.writeObjectFieldStart(name);
        if (kind == ResultKind.DETECTION) {
            boxes(g, record);
        } else {
            classes(g, record);
        }
        g.writeEndObject();
    }

    /** Boxes as the platform's Rect: top-left corner and size, whole pixels. */
    private void boxes(JsonGenerator g, JsonObject record) throws IOException {
        g.writeArrayFieldStart(boxesKey ? "boxes" : "annotations");
        JsonArray dets = record.getJsonArray("detections");
        if (dets == null) {
            log.warn("YMIR: {}: no result ({}); the asset gets no boxes", record.getString("path"),
                    record.getString("error", "no detections in the record"));
        }
        for (int i = 0; dets != null && i < dets.size(); i++) {
            JsonObject d = dets.getJsonObject(i);
            int classId = d.getInteger("class_id");
            String className = className(classId, d.getString("label"));
            if (className == null) {
                continue;
            }
            JsonArray box = d.getJsonArray("box");
            long x1 = Math.round(box.getDouble(0));
            long y1 = Math.round(box.getDouble(1));
            long x2 = Math.round(box.getDouble(2));
            long y2 = Math.round(box.getDouble(3));
            g.writeStartObject();
            g.writeObjectFieldStart("box");
            g.writeNumberField("x", x1);
            g.writeNumberField("y", y1);
            g.writeNumberField("w", x2 - x1);
            g.writeNumberField("h", y2 - y1);
            g.writeEndObject();
            g.writeStringField("class_name", className);
            g.writeNumberField("score", d.getDouble("score"));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The class's name from class_names, the record's label without them; null = dropped. */
    private String className(int classId, String label) {
        if (classNames.isEmpty()) {
            return label;
        }
        int i = classId - firstId;
        if (i >= 0 && i < classNames.size()) {
            return classNames.get(i);
        }
        if (droppedClasses.add(classId)) {
            log.warn("YMIR: the model's class {} ({}) is not in class_names ({} names); its results are dropped",
                    classId, label, classNames.size());
        }
        return null;
    }

    /** The class id class_names[0] stands for (1 for TF Object Detection API label maps). */
    private int firstId;

    InferResult firstClassId(int id) {
        this.firstId = id;
        return this;
    }

    private void classes(JsonGenerator g, JsonObject record) throws IOException {
        g.writeArrayFieldStart("classes");
        JsonArray best = record.getJsonArray("top_k");
        for (int i = 0; best != null && i < best.size(); i++) {
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
        g.writeEndArray();
        if (record.containsKey("error")) {
            g.writeStringField("error", record.getString("error"));
        }
    }

    /** The COCO document: images, then annotations (a second pass), then the categories seen. */
    private int coco(JsonGenerator g, Path records) throws IOException {
        int[] images = {0};
        g.writeArrayFieldStart("images");
        each(records, r -> {
            if (!r.containsKey("image")) {
                log.warn("YMIR: {}: no result ({}); the asset is left out", r.getString("path"), r.getString("error"));
                return;
            }
            JsonObject image = r.getJsonObject("image");
            images[0]++;
            g.writeStartObject();
            g.writeNumberField("id", images[0]);
            g.writeStringField("file_name", baseName(r.getString("path")));
            g.writeNumberField("width", image.getInteger("width"));
            g.writeNumberField("height", image.getInteger("height"));
            g.writeEndObject();
        });
        g.writeEndArray();
        Map<Integer, String> categories = new TreeMap<>();
        int[] ids = {0, 0};
        g.writeArrayFieldStart("annotations");
        each(records, r -> {
            if (!r.containsKey("image")) {
                return;
            }
            ids[0]++;
            JsonArray segments = r.getJsonArray("segments", new JsonArray());
            for (int i = 0; i < segments.size(); i++) {
                annotation(g, segments.getJsonObject(i), ids[0], ++ids[1], categories);
            }
        });
        g.writeEndArray();
        g.writeArrayFieldStart("categories");
        if (!classNames.isEmpty()) {
            for (int i = 0; i < classNames.size(); i++) {
                categories.put(i + firstId, classNames.get(i));
            }
        }
        for (Map.Entry<Integer, String> c : categories.entrySet()) {
            g.writeStartObject();
            g.writeNumberField("id", c.getKey());
            g.writeStringField("name", c.getValue());
            g.writeStringField("supercategory", "");
            g.writeEndObject();
        }
        g.writeEndArray();
        return images[0];
    }

    private void annotation(JsonGenerator g, JsonObject s, int imageId, int id, Map<Integer, String> categories)
            throws IOException {
        int classId = s.getInteger("class_id");
        String name = className(classId, s.getString("label"));
        if (name == null || s.getLong("area") == 0) {
            return; // a class outside class_names, or a mask with no pixel (nothing to annotate)
        }
        categories.putIfAbsent(classId, name);
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeNumberField("image_id", imageId);
        g.writeNumberField("category_id", classId);
        JsonObject rle = s.getJsonObject("rle");
        g.writeObjectFieldStart("segmentation");
        g.writeStringField("counts", rle.getString("counts"));
        g.writeArrayFieldStart("size");
        g.writeNumber(rle.getJsonArray("size").getInteger(0));
        g.writeNumber(rle.getJsonArray("size").getInteger(1));
        g.writeEndArray();
        g.writeEndObject();
        g.writeArrayFieldStart("bbox");
        JsonArray bbox = s.getJsonArray("bbox");
        for (int i = 0; i < 4; i++) {
            g.writeNumber(bbox.getDouble(i));
        }
        g.writeEndArray();
        g.writeNumberField("area", s.getLong("area"));
        g.writeNumberField("iscrowd", 0);
        if (kind == ResultKind.INSTANCE_SEGMENTATION && s.containsKey("score")) {
            g.writeNumberField("confidence", s.getDouble("score"));
        }
        g.writeEndObject();
    }
}
