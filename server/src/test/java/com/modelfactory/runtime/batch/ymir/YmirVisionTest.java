package com.modelfactory.runtime.batch.ymir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.batch.BatchCommand;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YMIR infer (and mine) tasks with the real detector and instance segmenter of ../shared/models/vision,
 * /in laid out as YMIR.md sections 3-6 lay it out, results parsed as the platform parses them: integer
 * boxes keyed by the asset's base name (detection), a COCO document (segmentation), result.tsv (mining).
 */
class YmirVisionTest {
    static final String TASK = "t0000002000001detect";

    @TempDir
    Path tmp;
    Path in;
    Path out;
    Path envFile;
    Path vision;

    @BeforeEach
    void task() throws Exception {
        Path shared = TestRuntime.sharedModels();
        assumeTrue(shared != null && Files.isDirectory(shared.resolve("vision/yolov8n_int8_320")),
                "../shared/models/vision is absent: YMIR detection not checked");
        vision = shared.resolve("vision");
        in = tmp.resolve("in");
        out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(in.resolve("assets/a1"));
        Files.createDirectories(in.resolve("models/epoch_10"));
        Files.copy(vision.resolve("yolov8n_int8_320/bus.jpg"), in.resolve("assets/a1/5e0f3c0b9a1d2e7c"));
        Files.copy(vision.resolve("yolox_nano_weeds/capture_20240917_163713_jpg.jpg"), in.resolve("assets/a1/weeds.jpg"));
        Files.writeString(in.resolve("candidate-index.tsv"), in.resolve("assets/a1/5e0f3c0b9a1d2e7c") + "\n"
                + in.resolve("assets/a1/weeds.jpg") + "\n\n");
        envFile = in.resolve("env.yaml");
        env("1.1.0", false);
    }

    private void env(String protocol, boolean mining) throws Exception {
        Files.writeString(envFile, """
                input:
                  assets_dir: %1$s/assets
                  candidate_index_file: %1$s/candidate-index.tsv
                  config_file: %1$s/config.yaml
                  models_dir: %1$s/models
                  root_dir: %1$s
                output:
                  infer_result_file: %2$s/infer-result.json
                  mining_result_file: %2$s/result.tsv
                  monitor_file: %2$s/monitor.txt
                  root_dir: %2$s
                protocol_version: %3$s
                run_infer: true
                run_mining: %4$s
                run_training: false
                task_id: %5$s
                """.formatted(in, out, protocol, mining, TASK));
    }

    private void config(String model, int objectType, String classNames, String extra) throws Exception {
        Path target = in.resolve("models/epoch_10/" + Path.of(model).getFileName());
        if (!Files.exists(target)) {
            Files.copy(vision.resolve(model), target);
        }
        Files.writeString(in.resolve("config.yaml"), """
                batch_size: 4
                class_names: [%s]
                conf_threshold: 0.5
                gpu_id: ''
                model_params_path: [%s]
                object_type: %d
                task_id: %s
                """.formatted(classNames, target, objectType, TASK) + extra);
    }

    private int run() {
        return BatchCommand.run(new String[0], Map.of("YMIR_ENV_FILE", envFile.toString()));
    }

    private String[] monitor() throws Exception {
        return Files.readString(out.resolve("monitor.txt")).split("\n")[0].split("\t", -1);
    }

    @Test
    void detectionResultsAreIntegerBoxesKeyedByBaseNameWithClassNamesHonoured() throws Exception {
        // class_names lacks 'bus' (class 5): its box is dropped; conf_threshold 0.5 drops the weak person
        config("yolov8n_int8_320/yolov8n_int8.onnx", 2, "person, bicycle, car", "");
        assertEquals(ExitCodes.OK, run());
        JsonObject result = new JsonObject(Files.readString(out.resolve("infer-result.json")));
        JsonObject detection = result.getJsonObject("detection");
        assertEquals(java.util.Set.of("5e0f3c0b9a1d2e7c", "weeds.jpg"), detection.fieldNames(), "records complete in any order");
        JsonArray boxes = detection.getJsonObject("5e0f3c0b9a1d2e7c").getJsonArray("boxes");
        assertEquals(3, boxes.size(), boxes.encode());
        for (int i = 0; i < boxes.size(); i++) {
            JsonObject b = boxes.getJsonObject(i);
            assertEquals("person", b.getString("class_name"));
            assertTrue(b.getDouble("score") >= 0.5, b.encode());
            JsonObject box = b.getJsonObject("box");
            assertEquals(List.of("x", "y", "w", "h"), List.copyOf(box.fieldNames()), "no other keys in a Rect");
            for (String k : box.fieldNames()) {
                assertInstanceOf(Integer.class, box.getValue(k), "int32 for the platform's Rect: " + box);
            }
            assertTrue(box.getInteger("w") > 0 && box.getInteger("x") + box.getInteger("w") <= 810, box.encode());
        }
        String[] record = monitor();
        assertEquals(List.of(TASK, "1.00", "2", "0"), List.of(record[0], record[2], record[3], record[4]));
    }

    @Test
    void beforeProtocolOneTheKeyIsAnnotations() throws Exception {
        env("0.0.1", false);
        config("yolov8n_int8_320/yolov8n_int8.onnx", 2, "", "");
        assertEquals(ExitCodes.OK, run());
        JsonObject asset = new JsonObject(Files.readString(out.resolve("infer-result.json")))
                .getJsonObject("detection").getJsonObject("5e0f3c0b9a1d2e7c");
        assertTrue(asset.containsKey("annotations") && !asset.containsKey("boxes"), asset.encode());
        assertEquals("bus", asset.getJsonArray("annotations").getJsonObject(0).getString("class_name"),
                "without class_names the model's own names");
    }

    @Test
    void instanceSegmentationIsACocoDocumentWithConfidence() throws Exception {
        config("yolov8n_seg_int8_320/yolov8n-seg_int8.onnx", 4, "", "");
        assertEquals(ExitCodes.OK, run());
        JsonObject coco = new JsonObject(Files.readString(out.resolve("infer-result.json")));
        JsonArray images = coco.getJsonArray("images");
        assertEquals(2, images.size());
        JsonObject bus = images.stream().map(JsonObject.class::cast)
                .filter(i -> i.getString("file_name").equals("5e0f3c0b9a1d2e7c")).findFirst().orElseThrow();
        assertEquals(810, bus.getInteger("width"));
        JsonArray annotations = coco.getJsonArray("annotations");
        assertTrue(annotations.size() >= 4, annotations.size() + " annotations");
        JsonObject a = annotations.stream().map(JsonObject.class::cast)
                .filter(x -> x.getInteger("image_id").equals(bus.getInteger("id"))).findFirst().orElseThrow();
        assertEquals(List.of(1080, 810), a.getJsonObject("segmentation").getJsonArray("size").getList());
        assertTrue(a.getJsonObject("segmentation").getString("counts").length() > 10);
        assertEquals(4, a.getJsonArray("bbox").size());
        assertEquals(0, a.getInteger("iscrowd"));
        assertTrue(a.getDouble("confidence") >= 0.5);
        assertTrue(coco.getJsonArray("categories").stream().anyMatch(c -> ((JsonObject) c).getString("name")
                .equals("bus")));
    }

    @Test
    void anObjectTypeTheModelCannotAnswerEndsInTheConfigurationErrorState() throws Exception {
        config("yolov8n_int8_320/yolov8n_int8.onnx", 3, "", "");
        assertEquals(ExitCodes.CONFIG, run());
        String[] record = monitor();
        assertEquals("4", record[3]);
        assertEquals("300001", record[4]);
        assertTrue(record[5].contains("object_type 3") && record[5].contains("detection"), record[5]);
        assertFalse(Files.exists(out.resolve("infer-result.json")));
    }

    @Test
    void inferAndMineInOneRunRanksTheImagesByUncertainty() throws Exception {
        env("1.1.0", true);
        config("yolov8n_int8_320/yolov8n_int8.onnx", 2, "", "");
        assertEquals(ExitCodes.OK, run());
        assertTrue(Files.exists(out.resolve("infer-result.json")));
        List<String> lines = Files.readAllLines(out.resolve("result.tsv"));
        assertEquals(2, lines.size(), lines.toString());
        double first = Double.parseDouble(lines.get(0).split("\t")[1]);
        double second = Double.parseDouble(lines.get(1).split("\t")[1]);
        assertTrue(first >= second, "highest first: " + lines);
        assertTrue(lines.get(0).startsWith(in.resolve("assets/a1").toString()), "the index line as given: " + lines);
        assertEquals("1.00", monitor()[2]);
    }
}
