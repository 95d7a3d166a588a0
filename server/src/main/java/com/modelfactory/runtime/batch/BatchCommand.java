package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.batch.ymir.YmirExecutor;
import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code model-server batch}: offline inference over a folder or an index file into a JSON Lines file,
 * or, with no --input and a YMIR task file that asks for inference, a YMIR infer executor run.
 * Returns the exit code: 0 when every image was run, {@link ExitCodes#imagesFailed} when some could not
 * be, else the code of what stopped the run (configuration, model, input/output).
 */
public final class BatchCommand {
    private static final Logger log = LoggerFactory.getLogger(BatchCommand.class);

    private BatchCommand() {
    }

    public static int run(String[] args, Map<String, String> env) {
        RuntimeConfig config;
        try {
            config = ConfigLoader.load(args, env);
        } catch (ConfigException e) {
            return fail("configuration error: " + e.getMessage(), ExitCodes.CONFIG);
        }
        RuntimeConfig.BatchSettings b = config.batch();
        if (b.input() == null) {
            if (b.ymirEnvFile() != null && Files.isRegularFile(b.ymirEnvFile())) {
                return YmirExecutor.run(args, env, config);
            }
            return fail("configuration error: batch needs --input DIR or --input INDEX_FILE (BATCH_INPUT), or a YMIR "
                    + "task file at " + b.ymirEnvFile() + " (ymir_env_file, YMIR_ENV_FILE)", ExitCodes.CONFIG);
        }
        config.warnings().forEach(w -> log.warn("config: {}", w));
        if (b.output() == null) {
            return fail("configuration error: batch needs --output FILE.jsonl (BATCH_OUTPUT)", ExitCodes.CONFIG);
        }
        if (RecordFiles.isRecordFile(b.input())) {
            return records(config);
        }
        List<InputItem> items;
        try {
            items = Shards.select(InputList.of(b.input()), b.shard());
        } catch (NoSuchFileException e) {
            return fail("configuration error: --input " + b.input() + " does not exist", ExitCodes.CONFIG);
        } catch (IOException e) {
            return fail("cannot read the input " + b.input() + ": " + e, ExitCodes.BATCH_IO);
        }
        if (!b.shard().all()) {
            log.info("batch: shard {} (every {}th image of the sorted input from position {})", b.shard(),
                    b.shard().count(), b.shard().index());
        }
        try {
            BatchJob.Outcome outcome = BatchJob.run(config, new BatchJob.Plan(items, b.output(), b.resume(), b.topK(),
                    null), List.of());
            return ExitCodes.imagesFailed(outcome.failed());
        } catch (StartupException e) {
            log.debug("cause", e.getCause());
            return fail("batch: " + e.getMessage(), e.exitCode());
        } catch (IOException e) {
            return fail("batch: cannot write " + b.output() + ": " + e.getMessage(), ExitCodes.BATCH_IO);
        }
    }

    /** A tabular model over a CSV or JSON Lines file. */
    private static int records(RuntimeConfig config) {
        RuntimeConfig.BatchSettings b = config.batch();
        List<RecordFiles.Row> rows;
        try {
            rows = RecordFiles.read(b.input());
        } catch (IOException e) {
            return fail("cannot read the input " + b.input() + ": " + e.getMessage(), ExitCodes.BATCH_IO);
        }
        try {
            return ExitCodes.imagesFailed(RecordBatch.run(config, rows));
        } catch (StartupException e) {
            log.debug("cause", e.getCause());
            return fail("batch: " + e.getMessage(), e.exitCode());
        } catch (IOException e) {
            return fail("batch: cannot write " + b.output() + ": " + e.getMessage(), ExitCodes.BATCH_IO);
        }
    }

    private static int fail(String message, int code) {
        log.error(message);
        System.err.println(message);
        return code;
    }
}
