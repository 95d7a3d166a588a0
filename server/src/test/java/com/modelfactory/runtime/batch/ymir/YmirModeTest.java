package com.modelfactory.runtime.batch.ymir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.batch.BatchCommand;
import com.modelfactory.runtime.batch.BatchFixtures;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YMIR executor mode against an /in made from the examples of ../shared/YMIR.md (env.yaml section 4,
 * config.yaml section 5, candidate-index.tsv section 6), with /in and /out under a temporary folder.
 */
class YmirModeTest {
    static final String TASK = "t00000020000012afef21665989437";
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    @TempDir
    Path tmp;
    Path in;
    Path out;
    Path envFile;

    /** The env.yaml example of YMIR.md section 4, its /in and /out moved under {@code tmp}. */
    @BeforeEach
    void task() throws Exception {
        in = tmp.resolve("in");
        out = tmp.resolve("out");
        Files.createDirectories(out.resolve("models"));
        for (String d : List.of("assets/a1", "assets/b7", "assets/c3", "models/epoch_50", "annotations", "predictions")) {
            Files.createDirectories(in.resolve(d));
        }
        envFile = in.resolve("env.yaml");
        Files.writeString(envFile, """
                input:
                  annotations_dir: /in/annotations
                  assets_dir: /in/assets
                  candidate_index_file: /in/candidate-index.tsv
                  config_file: /in/config.yaml
                  models_dir: /in/models
                  root_dir: /in
                  training_index_file: ''
                  val_index_file: ''
                manifest_file: /img-man/manifest.yaml
                output:
                  executor_log_file: /out/ymir-executor-out.log
                  infer_result_file: /out/infer-result.json
                  mining_result_file: /out/result.tsv
                  models_dir: /out/models
                  monitor_file: /out/monitor.txt
                  root_dir: /out
                  tensorboard_dir: /out/tensorboard
                  training_result_file: /out/models/result.yaml
                protocol_version: 1.1.0
                run_infer: true
                run_mining: false
                run_training: false
                task_id: t00000020000012afef21665989437
                """.replace(" /in", " " + in).replace(" /out", " " + out));
        writeConfig("- /in/models/epoch_50/model.onnx\n- /in/models/epoch_50/labels.txt\n", "");
        Path fixture = TestRuntime.fixture("onnx/tiny_cnn");
        Files.copy(fixture.resolve("model.onnx"), in.resolve("models/epoch_50/model.onnx"));
        Files.copy(fixture.resolve("labels.txt"), in.resolve("models/epoch_50/labels.txt"));
        Files.writeString(in.resolve("models/ymir-info.yaml"), "best_stage_name: epoch_50\n");
        // The assets of section 6 (one without an extension), as absolute /in/assets/... lines and one relative.
        Files.copy(BatchFixtures.FIXTURE_IMAGES.resolve("rgb64x48.jpg"), in.resolve("assets/a1/5e0f3c0b9a1d2e7c.jpg"));
        Files.copy(BatchFixtures.FIXTURE_IMAGES.resolve("cat32.png"), in.resolve("assets/b7/77d21ab04c3e9f10"));
        Files.copy(BatchFixtures.FIXTURE_IMAGES.resolve("digit28.png"), in.resolve("assets/c3/0c6e1f2a3b4d5e6f.png"));
        Files.writeString(in.resolve("candidate-index.tsv"), in.resolve("assets/a1/5e0f3c0b9a1d2e7c.jpg") + "\n"
                + in.resolve("assets/b7/77d21ab04c3e9f10") + "\n" + "c3/0c6e1f2a3b4d5e6f.png\n\n");
    }

    /** The config.yaml example of YMIR.md section 5 for the fixture model, on the CPU. */
    private void writeConfig(String modelParams, String extra) throws Exception {
        Files.writeString(in.resolve("config.yaml"), ("""
                batch_size: 8
                class_names: [%s]
                conf_threshold: 0.25
                gpu_count: 0
                gpu_id: ''
                model_params_path:
                %sobject_type: 1
                run_infer: true
                run_mining: false
                task_id: t00000020000012afef21665989437
                """.formatted(String.join(", ", CLASSES), modelParams) + extra).replace("/in/", in + "/"));
    }

    private int run(String... args) {
        return BatchCommand.run(args, Map.of("YMIR_ENV_FILE", envFile.toString()));
    }

    private String[] monitor() throws Exception {
        String text = Files.readString(out.resolve("monitor.txt"));
        assertTrue(text.endsWith("\n"), text);
        return text.split("\n")[0].split("\t", -1);
    }

    @Test
    void infersEveryAssetAndEndsWithTheExecutorsFinalRecord() throws Exception {
        String before = digest(in);
        double start = System.currentTimeMillis() / 1e3;
        assertEquals(ExitCodes.OK, run());

        String[] record = monitor();
        assertEquals(1, Files.readAllLines(out.resolve("monitor.txt")).size(), "the latest record only");
        assertEquals(5, record.length, String.join("|", record));
        assertEquals(TASK, record[0]);
        double ts = Double.parseDouble(record[1]);
        assertTrue(ts >= start - 1 && ts <= System.currentTimeMillis() / 1e3 + 1, record[1]);
        assertTrue(record[1].matches("\\d+\\.\\d{6}"), "Unix seconds with six decimals: " + record[1]);
        assertEquals("1.00", record[2]);
        assertEquals("2", record[3], "the executor ends at 1.00 in state 2; done (3) is the platform's to write");
        assertEquals("0", record[4]);

        JsonObject result = new JsonObject(Files.readString(out.resolve("infer-result.json")));
        JsonObject perAsset = result.getJsonObject("classification");
        assertEquals(Set.of("5e0f3c0b9a1d2e7c.jpg", "77d21ab04c3e9f10", "0c6e1f2a3b4d5e6f.png"), perAsset.fieldNames(),
                "one entry per asset, keyed by base name");
        for (String name : perAsset.fieldNames()) {
            JsonArray classes = perAsset.getJsonObject(name).getJsonArray("classes");
            assertEquals(CLASSES.size(), classes.size(), "every class when top_k is not set");
            for (int i = 0; i < classes.size(); i++) {
                JsonObject c = classes.getJsonObject(i);
                assertEquals(CLASSES.get(c.getInteger("class_id")), c.getString("class_name"));
                if (i > 0) {
                    assertTrue(c.getDouble("score") <= classes.getJsonObject(i - 1).getDouble("score"), "by score");
                }
            }
        }
        assertEquals(before, digest(in), "nothing under /in changed");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("monitor.txt", "infer-result.json", "models"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()),
                    "only YMIR's files in /out (no ymir-executor-out.log, no temporary files)");
        }
    }

    @Test
    void scoresAreTheModelsAsBatchAndPredictGiveThem() throws Exception {
        writeConfig("- /in/models/epoch_50/model.onnx\n", "top_k: 3\n");
        assertEquals(ExitCodes.OK, run());
        JsonArray classes = new JsonObject(Files.readString(out.resolve("infer-result.json")))
                .getJsonObject("classification").getJsonObject("77d21ab04c3e9f10").getJsonArray("classes");
        assertEquals(3, classes.size(), "top_k from config.yaml");
        try (TestRuntime server = TestRuntime.start("--model", in.resolve("models/epoch_50/model.onnx").toString())) {
            JsonArray expected = new JsonObject(server.post("/predict?top_k=3", "image/png",
                    Files.readAllBytes(in.resolve("assets/b7/77d21ab04c3e9f10"))).body()).getJsonArray("top_k");
            for (int i = 0; i < 3; i++) {
                assertEquals(expected.getJsonObject(i).getInteger("index"), classes.getJsonObject(i).getInteger("class_id"));
                assertEquals(expected.getJsonObject(i).getDouble("score"), classes.getJsonObject(i).getDouble("score"));
            }
        }
    }

    @Test
    void anUndecodableAssetIsListedWithItsErrorAndTheTaskSucceeds() throws Exception {
        BatchFixtures.corruptJpeg(in.resolve("assets/c3/9a41c2d07e5b3f88.jpg"));
        Files.writeString(in.resolve("candidate-index.tsv"), in.resolve("assets/c3/9a41c2d07e5b3f88.jpg") + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(ExitCodes.OK, run());
        JsonObject bad = new JsonObject(Files.readString(out.resolve("infer-result.json")))
                .getJsonObject("classification").getJsonObject("9a41c2d07e5b3f88.jpg");
        assertEquals(0, bad.getJsonArray("classes").size());
        assertTrue(bad.getString("error").contains("decoded"), bad.encode());
        assertEquals("2", monitor()[3]);
    }

    @Test
    void aMissingModelEndsInTheErrorStateWithTheModelCode() throws Exception {
        writeConfig("- /in/models/epoch_99/model.onnx\n", "");
        assertEquals(ExitCodes.MODEL, run());
        String[] record = monitor();
        assertEquals(TASK, record[0]);
        assertEquals("4", record[3]);
        assertEquals("300004", record[4]);
        assertTrue(record[5].contains("epoch_99"), record[5]);
        assertFalse(Files.exists(out.resolve("infer-result.json")));
    }

    @Test
    void aTrainingTaskIsRefusedWithTheConfigurationCode() throws Exception {
        Files.writeString(envFile, Files.readString(envFile).replace("run_training: false", "run_training: true"));
        assertEquals(ExitCodes.CONFIG, run());
        String[] record = monitor();
        assertEquals("4", record[3]);
        assertEquals("300001", record[4]);
    }

    @Test
    void anExplicitInputIsAPlainBatchRunEvenWithATaskFile() throws Exception {
        Path records = tmp.resolve("plain.jsonl");
        assertEquals(ExitCodes.OK, run("--model", BatchFixtures.MODEL, "--input", in.resolve("assets").toString(),
                "--output", records.toString()));
        assertEquals(3, BatchFixtures.records(records).size());
        assertFalse(Files.exists(out.resolve("monitor.txt")));
    }

    private static String digest(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                files.put(root.relativize(p).toString(), HexFormat.of().formatHex(d));
            }
        }
        return files.toString();
    }
}
