package com.modelfactory.runtime.batch.ymir;

import com.modelfactory.runtime.batch.BatchJob;
import com.modelfactory.runtime.batch.InputItem;
import com.modelfactory.runtime.batch.InputList;
import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code model-server batch} as a YMIR infer executor (../shared/YMIR.md): reads env.yaml and the task's
 * config.yaml, runs every image of the candidate index (paths relative to assets_dir resolved), keeps
 * monitor.txt current and writes infer-result.json. Reads only under /in and writes only the two /out
 * files named by env.yaml (and a temporary record file under java.io.tmpdir, unless --output is given).
 *
 * <p>Settings, lowest first: defaults, model-config.yaml (MODEL_CONFIG), environment, the task's
 * config.yaml and model_params_path, command-line flags. Images that cannot be decoded are listed in the
 * result with their error and do not fail the task (YMIR drops every result of a failed task); a task
 * in which no image could be run fails with return code 300003.
 */
public final class YmirExecutor {
    private static final Logger log = LoggerFactory.getLogger(YmirExecutor.class);

    private YmirExecutor() {
    }

    /** @param base the configuration without the task (it names the task file and the intervals) */
    public static int run(String[] args, Map<String, String> env, RuntimeConfig base) {
        Path envFile = base.batch().ymirEnvFile();
        YmirEnv task;
        try {
            task = YmirEnv.read(envFile);
        } catch (IOException e) {
            System.err.println("YMIR: cannot read the task file " + envFile + ": " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        MonitorFile monitor = new MonitorFile(task.monitorFile(), task.taskId(), base.batch().progressInterval());
        log.info("YMIR executor: task {} (protocol {}), images from {}", task.taskId(), task.protocolVersion(),
                task.candidateIndexFile());
        try {
            monitor.started();
            return infer(args, env, task, monitor);
        } catch (ConfigException e) {
            return failed(monitor, YmirCodes.CONFIG, "configuration error: " + e.getMessage(), null, ExitCodes.CONFIG);
        } catch (YmirModel.MissingModelException e) {
            return failed(monitor, YmirCodes.MODEL, "model not found: " + e.getMessage(), null, ExitCodes.MODEL);
        } catch (StartupException e) {
            int code = e.exitCode() == ExitCodes.CONFIG ? YmirCodes.CONFIG : YmirCodes.MODEL;
            return failed(monitor, code, e.getMessage(), trace(e.getCause()), e.exitCode());
        } catch (IOException e) {
            return failed(monitor, YmirCodes.DATASET, "cannot read the dataset or write the results: " + e.getMessage(),
                    trace(e), ExitCodes.BATCH_IO);
        } catch (RuntimeException e) {
            return failed(monitor, YmirCodes.MODEL, "internal error: " + e, trace(e), ExitCodes.MODEL);
        }
    }

    private static int infer(String[] args, Map<String, String> env, YmirEnv task, MonitorFile monitor)
            throws IOException, StartupException {
        if (!(task.runInfer() || task.runMining()) || task.runTraining()) {
            throw new ConfigException("this executor runs inference and mining (run_infer and/or run_mining true, "
                    + "run_training false); the task asks for run_infer=" + task.runInfer() + ", run_mining="
                    + task.runMining() + ", run_training=" + task.runTraining());
        }
        YmirTaskConfig taskConfig = YmirTaskConfig.read(task.configFile());
        Optional<Path> model = YmirModel.choose(taskConfig.modelParamsPath(), task.modelsDir());
        log.info("YMIR: model {}", model.map(Path::toString).orElse("from the runtime's configuration (no model in "
                + task.modelsDir() + ")"));
        RuntimeConfig loaded = ConfigLoader.load(args, env, taskConfig.layer(model.orElse(null)), null);
        loaded.warnings().forEach(w -> log.warn("config: {}", w));
        RuntimeConfig config = taskConfig.classNames().isEmpty() ? loaded
                : loaded.withTask(loaded.task().withClassNames(taskConfig.classNames()));
        List<InputItem> items = InputList.fromIndex(task.candidateIndexFile(), task.assetsDir());
        Path records = config.batch().output() != null ? config.batch().output()
                : Files.createTempFile("ymir-" + task.taskId(), ".jsonl");
        try {
            int topK = config.batch().topK() > 0 && !task.runMining() ? config.batch().topK() : Integer.MAX_VALUE;
            List<String> labels = taskConfig.classNames().isEmpty() ? null : taskConfig.classNames();
            AtomicReference<ResultKind> kind = new AtomicReference<>();
            AtomicReference<Integer> firstId = new AtomicReference<>(0);
            if (task.runInfer() && task.runMining()) {
                monitor.passIsHalf();
            }
            BatchJob.Outcome outcome = BatchJob.run(config, new BatchJob.Plan(items, records, false, topK, labels,
                    modelTask -> {
                        kind.set(ResultKind.of(taskConfig.objectType(), modelTask));
                        firstId.set(modelTask.labels().firstId());
                        log.info("YMIR: object_type {} answered as {} by a {} model", taskConfig.objectType(),
                                kind.get().name().toLowerCase(), modelTask.task().wireName());
                    }), List.of(monitor));
            if (kind.get() == null) { // nothing ran (an empty index): the kind object_type names, else detection
                kind.set(taskConfig.objectType() == null || taskConfig.objectType() == 2 ? ResultKind.DETECTION
                        : taskConfig.objectType() == 1 ? ResultKind.CLASSIFICATION
                        : taskConfig.objectType() == 3 ? ResultKind.SEMANTIC_SEGMENTATION : ResultKind.INSTANCE_SEGMENTATION);
            }
            if (task.runInfer()) {
                int assets = new InferResult(kind.get(), task.boxesKey(), taskConfig.classNames())
                        .firstClassId(firstId.get()).write(records, task.inferResultFile());
                log.info("YMIR: {} result(s) in {}", assets, task.inferResultFile());
            }
            if (task.runMining()) {
                if (task.runInfer()) {
                    monitor.half();
                }
                int mined = MiningResult.write(records, task.miningResultFile());
                log.info("YMIR: {} image(s) ranked in {}", mined, task.miningResultFile());
            }
            if (outcome.total() > 0 && outcome.failed() == outcome.total()) {
                return failed(monitor, YmirCodes.IMAGE_FORMAT, "none of the " + outcome.total()
                        + " images could be run (see " + task.inferResultFile() + ")", null,
                        ExitCodes.imagesFailed(outcome.failed()));
            }
            if (outcome.failed() > 0) {
                log.warn("YMIR: {} of {} images could not be run; they are listed in the result with their error",
                        outcome.failed(), outcome.total());
            }
            monitor.finished();
            return ExitCodes.OK;
        } finally {
            if (config.batch().output() == null) {
                Files.deleteIfExists(records);
            }
        }
    }

    private static int failed(MonitorFile monitor, int ymirCode, String message, String detail, int exitCode) {
        log.error("YMIR: {}", message);
        System.err.println("YMIR: " + message);
        monitor.failed(1, ymirCode, message, detail);
        return exitCode;
    }

    private static String trace(Throwable t) {
        if (t == null) {
            return null;
        }
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }
}
