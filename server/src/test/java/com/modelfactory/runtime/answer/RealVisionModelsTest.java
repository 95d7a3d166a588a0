package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.Detections;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trained detectors and the instance segmenter of ../shared/models/vision (YOLOv8n and YOLOv8n-seg
 * int8 from Ultralytics, a YOLOX-Nano fine-tuned on weeds) behind /predict, against the reference
 * outputs of each family's own pipeline in their expected.json (see SOURCES.md there). Skipped with a
 * message when the corpus is absent.
 */
class RealVisionModelsTest {
    @TempDir
    Path tmp;

    static Path vision(String folder) {
        Path shared = TestRuntime.sharedModels();
        assumeTrue(shared != null && Files.isDirectory(shared.resolve("vision/" + folder)),
                "../shared/models/vision/" + folder + " is absent: real vision models not checked");
        return shared.resolve("vision/" + folder);
    }

    static JsonObject expected(Path dir) throws Exception {
        return new JsonObject(Files.readString(dir.resolve("expected.json")));
    }

    static JsonObject predict(TestRuntime rt, Path image, String query) throws Exception {
        HttpResponse<String> r = rt.post("/predict" + query, "image/jpeg", Files.readAllBytes(image));
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    @Test
    void yolov8nDetectsWhatUltralyticsPipelineDetects() throws Exception {
        Path dir = vision("yolov8n_int8_320");
        JsonObject expected = expected(dir);
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve("yolov8n_int8.onnx").toString())) {
            JsonObject answer = predict(rt, dir.resolve("bus.jpg"), "");
            assertEquals("detection", answer.getString("task"));
            assertEquals(new JsonObject().put("width", 810).put("height", 1080), answer.getJsonObject("image"));
            JsonArray want = expected.getJsonObject("cases").getJsonObject("bus.jpg").getJsonArray("detections");
            Detections.assertMatch(want, answer.getJsonArray("detections"), 0.25, "yolov8n bus.jpg");
            assertEquals("bus", answer.getJsonArray("detections").getJsonObject(0).getString("label"),
                    "names from the model's metadata");

            JsonObject strict = predict(rt, dir.resolve("bus.jpg"), "?conf=0.8&max_det=1");
            assertEquals(1, strict.getJsonArray("detections").size(), strict.encode());

            JsonObject metadata = new JsonObject(rt.get("/v2/models/" + rt.name()).body());
            assertEquals("detection", metadata.getJsonObject("parameters").getString("task"));
            assertEquals("yolov8", metadata.getJsonObject("parameters").getString("decoder"));
        }
    }

    @Test
    void yolov8nSegMasksMatchUltralyticsMasks() throws Exception {
        Path dir = vision("yolov8n_seg_int8_320");
        JsonObject bus = expected(dir).getJsonObject("cases").getJsonObject("bus.jpg");
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve("yolov8n-seg_int8.onnx").toString())) {
            JsonObject answer = predict(rt, dir.resolve("bus.jpg"), "");
            assertEquals("instance_segmentation", answer.getString("task"));
            JsonArray dets = answer.getJsonArray("detections");
            JsonArray segments = answer.getJsonArray("segments");
            assertEquals(dets.size(), segments.size(), "one mask per detection");
            int[] match = Detections.assertMatch(bus.getJsonArray("detections"), dets, 0.25, "yolov8n-seg bus.jpg");
            JsonArray instances = bus.getJsonArray("instances");
            for (int i = 0; i < match.length; i++) {
                if (match[i] < 0) {
                    continue;
                }
                JsonObject mine = segments.getJsonObject(match[i]);
                JsonObject ref = instances.getJsonObject(i);
                long want = ref.getLong("mask_area");
                String what = "mask of " + ref.getString("label") + " " + i;
                assertEquals(new JsonArray().add(1080).add(810), mine.getJsonObject("rle").getJsonArray("size"));
                // Measured: the reference's masks lie wholly inside ours, each cut by a rectangle a few pixels
                // inside the box on the left and top that its own stated pipeline does not make: run as stated
                // (fixtures/vision/seg_reference_check.py) it gives areas within 0.5 % of ours (bus 257,826 vs
                // 256,832; persons 59,543 / 34,381 / 21,899 vs 59,708 / 34,354 / 21,791), the stored masks
                // 3.4-10.8 % less.
                boolean[] ours = Rle.decode(mine.getJsonObject("rle").getString("counts"), 1080 * 810);
                boolean[] theirs = Rle.decodeCounts(ref.getJsonObject("rle").getJsonArray("counts"), 1080 * 810);
                long inside = 0;
                for (int p = 0; p < theirs.length; p++) {
                    if (theirs[p] && ours[p]) {
                        inside++;
                    }
                }
                assertTrue(inside >= want * 0.99, what + ": " + inside + " of the reference's " + want
                        + " pixels are ours");
                assertEquals(want, mine.getLong("area"), want * 0.15, what + ": area");
            }
        }
    }

    @Test
    void yoloxRawGridOutputsDecodeAsYoloxDoes() throws Exception {
        Path dir = vision("yolox_nano_weeds");
        JsonObject expected = expected(dir);
        Path model = Files.createDirectories(tmp.resolve("yolox"));
        Files.copy(dir.resolve("yolox_nano.onnx"), model.resolve("yolox_nano.onnx"));
        Files.writeString(model.resolve("labels.txt"), "Purslane\nPigweed\nNutsedge\n");
        // YOLOX's own preprocessing: BGR, values 0-255; the yolox decoder letterboxes at the top left.
        Files.writeString(model.resolve("model-config.yaml"), "decoder: yolox\nimage:\n  color: bgr\n  scale: 1\n");
        try (TestRuntime rt = TestRuntime.start("--model", model.resolve("yolox_nano.onnx").toString())) {
            JsonObject cases = expected.getJsonObject("cases");
            for (String image : cases.fieldNames()) {
                JsonObject answer = predict(rt, dir.resolve(image), "");
                Detections.assertMatch(cases.getJsonObject(image).getJsonArray("detections"),
                        answer.getJsonArray("detections"), 0.25, "yolox " + image);
            }
        }
    }

    @Test
    void v2AnswersTensorsByDefaultAndDetectionsWhenAskedToPostprocess() throws Exception {
        Path dir = vision("yolov8n_int8_320");
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve("yolov8n_int8.onnx").toString())) {
            byte[] jpeg = Files.readAllBytes(dir.resolve("bus.jpg"));
            JsonObject predicted = predict(rt, dir.resolve("bus.jpg"), "");
            String b64 = java.util.Base64.getEncoder().encodeToString(jpeg);
            JsonObject input = new JsonObject().put("name", "images").put("datatype", "BYTES")
                    .put("shape", new JsonArray().add(1)).put("data", new JsonArray().add(b64));
            JsonObject tensors = new JsonObject(rt.infer(new JsonObject().put("inputs", new JsonArray().add(input)))
                    .body());
            assertEquals("output0", tensors.getJsonArray("outputs").getJsonObject(0).getString("name"));

            HttpResponse<String> r = rt.infer(new JsonObject().put("inputs", new JsonArray().add(input))
                    .put("parameters", new JsonObject().put("postprocess", true)));
            assertEquals(200, r.statusCode(), r.body());
            JsonArray outs = new JsonObject(r.body()).getJsonArray("outputs");
            assertEquals(DetectionTensors.NAMES, outs.stream().map(o -> ((JsonObject) o).getString("name")).toList());
            int n = predicted.getJsonArray("detections").size();
            assertEquals(n, outs.getJsonObject(3).getJsonArray("data").getDouble(0).intValue());
            JsonArray first = predicted.getJsonArray("detections").getJsonObject(0).getJsonArray("box");
            JsonArray boxes = outs.getJsonObject(0).getJsonArray("data");
            assertEquals(first.getDouble(1) / 1080, boxes.getDouble(0), 1e-3, "ymin, normalised");
            assertEquals(first.getDouble(0) / 810, boxes.getDouble(1), 1e-3, "xmin, normalised");
        }
    }

    @Test
    void badPostprocessingParametersAre400AndTheServerKeepsServing() throws Exception {
        Path dir = vision("yolov8n_int8_320");
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve("yolov8n_int8.onnx").toString())) {
            byte[] jpeg = Files.readAllBytes(dir.resolve("bus.jpg"));
            for (String q : new String[] {"?conf=1.5", "?iou=-0.1", "?max_det=abc", "?conf=nan", "?top_k=3", "?raw=maybe"}) {
                HttpResponse<String> r = rt.post("/predict" + q, "image/jpeg", jpeg);
                assertEquals(400, r.statusCode(), q + ": " + r.body());
                assertTrue(new JsonObject(r.body()).getString("error").length() > 10, r.body());
            }
            assertTrue(rt.post("/predict?top_k=3", "image/jpeg", jpeg).body().contains("[1, 84, 2100]"),
                    "top_k on a detector names the output's shape");
            JsonObject raw = new JsonObject(rt.post("/predict?raw=true", "image/jpeg", jpeg).body());
            assertTrue(raw.containsKey("outputs") && raw.containsKey("predictions"), "raw=true: the tensors");
            assertEquals(200, rt.post("/predict", "image/jpeg", jpeg).statusCode());
        }
    }
}
