package com.modelfactory.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The YMIR executor side of the image (../shared/YMIR.md): the default command start.sh chooses the batch
 * executor when YMIR's task file exists and the server otherwise; /img-man's files are what the platform
 * parses when it inspects the image. The image itself runs in deploy/ci/image-test.sh.
 */
class YmirImageTest {
    private static final String START = "image/start.sh";

    @TempDir
    Path dir;
    Map<String, String> env;

    @BeforeEach
    void fakeLauncher() throws Exception {
        Path launcher = Files.createDirectories(dir.resolve("home/bin")).resolve("model-server");
        Files.writeString(launcher, "#!/usr/bin/env bash\necho \"launcher $*\"\n");
        launcher.toFile().setExecutable(true);
        env = new HashMap<>(Map.of("MODEL_RUNTIME_HOME", dir.resolve("home").toString(),
                "YMIR_ENV_FILE", dir.resolve("in/env.yaml").toString()));
    }

    @Test
    void withoutYmirsTaskFileTheDefaultCommandIsTheServer() throws Exception {
        Scripts.Result r = Scripts.run(env, START);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("launcher \n", r.stdout());
    }

    @Test
    void withYmirsTaskFileTheDefaultCommandIsTheBatchExecutor() throws Exception {
        Files.createDirectories(dir.resolve("in"));
        Files.writeString(dir.resolve("in/env.yaml"), "run_infer: true\ntask_id: t1\n");
        Scripts.Result r = Scripts.run(env, START);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("launcher batch\n", r.stdout(), "no --input: batch follows env.yaml");
        assertTrue(r.stderr().contains("YMIR executor"), r.stderr());
    }

    @Test
    void manifestListsDetectionAndBothSegmentations() throws Exception {
        Map<String, Object> manifest = yaml("manifest.yaml");
        Object type = manifest.get("object_type");
        assertEquals(List.of(2, 3, 4), type, "ints, as the platform's ObjectType: " + manifest);
    }

    /** With a list of object types YMIR reads the templates per type (controller IMAGE_CONFIG_DIR_NAMES). */
    @Test
    void everyTypeHasInferAndMiningTemplatesWithTheReservedKeysAndNoGpuForTheCpuImage() throws Exception {
        for (String dir : List.of("det/", "semantic-seg/", "instance-seg/", "")) {
            for (String kind : List.of("infer-template.yaml", "mining-template.yaml")) {
                Map<String, Object> template = yaml(dir + kind);
                for (String reserved : List.of("task_id", "gpu_id", "class_names", "model_params_path")) {
                    assertTrue(template.containsKey(reserved), dir + kind + ": " + reserved + " missing: " + template);
                }
                assertEquals(0, template.get("gpu_count"), "build-image.sh sets 1 for the GPU variant");
                assertEquals("", template.get("gpu_id"), "'' = CPU");
                assertEquals(8, template.get("batch_size"));
                if (!dir.startsWith("semantic")) {
                    assertEquals(0.25, template.get("conf_threshold"), dir + kind);
                    assertEquals(0.45, template.get("iou_threshold"), dir + kind);
                }
            }
        }
    }

    private static Map<String, Object> yaml(String name) throws Exception {
        Object doc = new Yaml().load(Files.readString(Scripts.deployDir().resolve("image/img-man/" + name)));
        assertInstanceOf(Map.class, doc, name + " must parse as a YAML mapping (else YMIR treats it as missing)");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) doc;
        return map;
    }
}
