package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batch options come from the one Option table like every setting; exit codes do not collide. */
class BatchOptionsTest {
    private static RuntimeConfig.BatchSettings load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env).batch();
    }

    @Test
    void theDeployedCommandLineParses() {
        // deploy/kubernetes/batch-job.yaml's args, with the environment Kubernetes gives pod 2 of 4.
        RuntimeConfig.BatchSettings b = load(Map.of("JOB_COMPLETION_INDEX", "2", "JOB_COMPLETIONS", "4"),
                "--input", "/data/images", "--output", "/results/part-2.jsonl", "--resume", "--top-k", "5");
        assertEquals(Path.of("/data/images"), b.input());
        assertEquals(Path.of("/results/part-2.jsonl"), b.output());
        assertTrue(b.resume(), "a bare --resume followed by another flag");
        assertEquals(5, b.topK());
        assertEquals(new RuntimeConfig.Shard(2, 4), b.shard());
        assertNull(b.metricsPort());
        assertEquals("127.0.0.1", b.metricsHost(), "metrics on loopback unless configured");
        assertEquals(Path.of("/in/env.yaml"), b.ymirEnvFile());
    }

    @Test
    void defaultsAndFlagPrecedence() {
        RuntimeConfig.BatchSettings none = load(Map.of());
        assertFalse(none.resume());
        assertEquals(0, none.topK());
        assertTrue(none.shard().all());
        assertTrue(load(Map.of(), "--resume").resume(), "a bare --resume at the end");
        assertFalse(load(Map.of(), "--resume", "false").resume());
        assertEquals(new RuntimeConfig.Shard(1, 3), load(Map.of("JOB_COMPLETION_INDEX", "2", "JOB_COMPLETIONS", "4"),
                "--shard", "1/3").shard(), "--shard wins over the Job's index");
        assertEquals(Path.of("/t/env.yaml"), load(Map.of("YMIR_ENV_FILE", "/t/env.yaml")).ymirEnvFile());
        assertEquals(0, load(Map.of(), "--metrics-port", "0").metricsPort());
    }

    @Test
    void badShardsAreConfigurationErrors() {
        for (String shard : new String[] {"3/3", "-1/3", "1/0", "1", "a/b", "1/2/3"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), "--shard", shard), shard);
            assertTrue(e.getMessage().contains("shard"), e.getMessage());
        }
        ConfigException noCount = assertThrows(ConfigException.class,
                () -> load(Map.of("JOB_COMPLETION_INDEX", "1")));
        assertTrue(noCount.getMessage().contains("JOB_COMPLETIONS"), noCount.getMessage());
        assertThrows(ConfigException.class, () -> load(Map.of("JOB_COMPLETION_INDEX", "4", "JOB_COMPLETIONS", "4")));
    }

    @Test
    void missingInputOrOutputIsExitCodeTwo(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Map<String, String> noYmir = Map.of("YMIR_ENV_FILE", tmp.resolve("absent.yaml").toString());
        assertEquals(ExitCodes.CONFIG, BatchCommand.run(new String[] {"--output", "x.jsonl"}, noYmir));
        assertEquals(ExitCodes.CONFIG, BatchCommand.run(new String[] {"--input", tmp.toString()}, noYmir));
        assertEquals(ExitCodes.CONFIG, BatchCommand.run(new String[] {"--input", tmp.resolve("nothing").toString(),
                "--output", tmp.resolve("o.jsonl").toString()}, noYmir));
        assertEquals(ExitCodes.CONFIG, BatchCommand.run(new String[] {"--shard", "5/2"}, noYmir));
    }

    @Test
    void failedImageCountsStayClearOfTheOtherExitCodes() {
        assertEquals(0, ExitCodes.imagesFailed(0));
        assertEquals(11, ExitCodes.imagesFailed(1));
        assertEquals(110, ExitCodes.imagesFailed(100));
        assertEquals(110, ExitCodes.imagesFailed(100_000));
        for (int code : new int[] {ExitCodes.MODEL, ExitCodes.CONFIG, ExitCodes.OUT_OF_MEMORY, ExitCodes.PORT,
                ExitCodes.BATCH_IO}) {
            assertTrue(code < ExitCodes.imagesFailed(1));
        }
    }
}
