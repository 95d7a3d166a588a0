package com.modelfactory.runtime.batch.ymir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.batch.BatchCommand;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A YMIR semantic segmentation task (object_type 3) with the semantic fixture model: the COCO document
 * of YMIR.md section 8 (one annotation per class present, RLE of the original image's size), the
 * model's settings from its model-config.yaml (MODEL_CONFIG, as the image passes the delivery's), and
 * result.tsv from the same pass.
 */
class YmirSemanticTest {
    static final Path FIXTURE = Path.of("src/test/fixtures/vision/semantic_onnx");

    @TempDir
    Path tmp;

    @Test
    void semanticSegmentationIsACocoDocumentWithOneAnnotationPerClassPresent() throws Exception {
        Path in = tmp.resolve("in");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(in.resolve("assets"));
        Files.createDirectories(in.resolve("models/best"));
        Files.copy(FIXTURE.resolve("bus.png"), in.resolve("assets/0001"));
        Files.copy(FIXTURE.resolve("weeds.png"), in.resolve("assets/0002.png"));
        Files.copy(FIXTURE.resolve("model.onnx"), in.resolve("models/best/model.onnx"));
        Files.writeString(in.resolve("candidate-index.tsv"), "assets/0001\nassets/0002.png\n");
        Files.writeString(in.resolve("config.yaml"), """
                class_names: [sky, road, car, person]
                gpu_id: ''
                model_params_path: [%s]
                object_type: 3
                task_id: t3
                """.formatted(in.resolve("models/best/model.onnx")));
        Path env = in.resolve("env.yaml");
        Files.writeString(env, """
                input: {root_dir: %1$s, assets_dir: %1$s, candidate_index_file: %1$s/candidate-index.tsv,
                        config_file: %1$s/config.yaml, models_dir: %1$s/models}
                output: {root_dir: %2$s, infer_result_file: %2$s/infer-result.json, monitor_file: %2$s/monitor.txt,
                         mining_result_file: %2$s/result.tsv}
                protocol_version: 1.1.0
                run_infer: true
                run_mining: true
                run_training: false
                task_id: t3
                """.formatted(in, out));
        int code = BatchCommand.run(new String[0], Map.of("YMIR_ENV_FILE", env.toString(),
                "MODEL_CONFIG", FIXTURE.resolve("model-config.yaml").toString()));
        assertEquals(ExitCodes.OK, code);
        JsonObject coco = new JsonObject(Files.readString(out.resolve("infer-result.json")));
        JsonArray images = coco.getJsonArray("images");
        assertEquals(Set.of("0001", "0002.png"), images.stream().map(i -> ((JsonObject) i).getString("file_name"))
                .collect(Collectors.toSet()));
        JsonObject expected = new JsonObject(Files.readString(FIXTURE.resolve("expected.json")));
        int busId = images.stream().map(JsonObject.class::cast).filter(i -> i.getString("file_name").equals("0001"))
                .findFirst().orElseThrow().getInteger("id");
        JsonArray busAnnotations = new JsonArray(coco.getJsonArray("annotations").stream()
                .filter(a -> ((JsonObject) a).getInteger("image_id") == busId).toList());
        JsonArray want = expected.getJsonObject("cases").getJsonObject("bus.png").getJsonArray("segments");
        assertEquals(want.size(), busAnnotations.size(), "one annotation per class present");
        for (Object o : busAnnotations) {
            JsonObject a = (JsonObject) o;
            assertEquals(new JsonArray().add(540).add(405), a.getJsonObject("segmentation").getJsonArray("size"));
            assertEquals(0, a.getInteger("iscrowd"));
            assertTrue(!a.containsKey("confidence"), "semantic segments have no confidence");
        }
        assertEquals(4, coco.getJsonArray("categories").size(), "the task's class names");
        assertEquals("sky", coco.getJsonArray("categories").getJsonObject(0).getString("name"));
        assertEquals(2, Files.readAllLines(out.resolve("result.tsv")).size());
        assertTrue(Files.readString(out.resolve("monitor.txt")).startsWith("t3\t"));
    }
}
