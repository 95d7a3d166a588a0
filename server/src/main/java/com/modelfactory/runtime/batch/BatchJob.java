package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.startup.ModelNaming;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch run: the images of {@link Plan} not yet in the output file go through the model, each
 * recorded as it completes, while progress is shown (bar or log lines, the caller's displays) and,
 * if asked, /metrics is served.
 */
public final class BatchJob {
    private static final Logger log = LoggerFactory.getLogger(BatchJob.class);
    /** How often records are handed to the OS (a killed pod keeps them) and the displays are updated. */
    private static final long TICK_MS = 1000;

    /**
     * @param items  this run's images (one shard of the sorted input)
     * @param topK   classes per record; 0 = the outputs themselves
     * @param labels class names for top-k; null = the model's labels (labels.txt)
     */
    public record Plan(List<InputItem> items, Path output, boolean resume, int topK, List<String> labels,
                       java.util.function.Consumer<ModelTask> accept) {
        public Plan(List<InputItem> items, Path output, boolean resume, int topK, List<String> labels) {
            this(items, output, resume, topK, labels, task -> { });
        }
    }

    /** @param failed error records of this input, those of an earlier run (resume) included */
    public record Outcome(long total, long recordedBefore, long ranNow, long failed) {
    }

    private BatchJob() {
    }

    public static Outcome run(RuntimeConfig config, Plan plan, List<ProgressDisplay> displays)
            throws StartupException, IOException {
        try (ResultFile out = ResultFile.open(plan.output(), plan.resume())) {
            List<InputItem> todo = new ArrayList<>();
            long failedBefore = 0;
            for (InputItem item : plan.items()) {
                if (!out.has(item.key())) {
                    todo.add(item);
                } else if (out.failedBefore(item.key())) {
                    failedBefore++;
                }
            }
            long before = plan.items().size() - todo.size();
            log.info("batch: {} image(s) in this run's input, {} already in {}, {} to run", plan.items().size(),
                    before, plan.output(), todo.size());
            Progress progress = new Progress(plan.items().size(), before, failedBefore);
            if (!todo.isEmpty()) {
                runModel(config, plan, todo, out, progress, displays);
            }
            Progress.Snapshot end = progress.snapshot();
            log.info("batch: {} image(s) run in {} s ({} images/s), {} of {} recorded as errors; results in {}",
                    end.thisRun(), Math.round(end.elapsedSeconds() * 10) / 10.0, Math.round(end.perSecond() * 10) / 10.0,
                    end.failed(), end.total(), plan.output());
            return new Outcome(end.total(), before, end.thisRun(), end.failed());
        }
    }

    private static void runModel(RuntimeConfig config, Plan plan, List<InputItem> todo, ResultFile out,
                                 Progress progress, List<ProgressDisplay> extra) throws StartupException, IOException {
        String name = ModelNaming.servedName(config);
        RuntimeMetrics metrics = new RuntimeMetrics(name, config.server().latencyBuckets());
        try (InferenceService service = BatchModel.start(config, metrics, name)) {
            plan.accept().accept(service.info().task()); // may refuse the model's task (ConfigException)
            checkTopK(service, plan.topK());
            List<String> labels = plan.labels() != null ? plan.labels() : service.info().labels();
            BatchRunner runner = new BatchRunner(service, sink(out, plan.topK(), labels), progress,
                    config.server().maxBodyBytes(), answering(service.info().task(), plan.topK()));
            BatchMetrics.register(metrics, progress, runner);
            log.info("batch: {} image(s) in flight (batches of up to {}, {} worker(s), {} decoder(s))",
                    runner.window(), service.maxBatchItems(), service.settings().workers(),
                    service.settings().decoders());
            try (MetricsEndpoint endpoint = metricsEndpoint(config.batch(), metrics)) {
                runWithProgress(runner, todo, out, progress, displays(config, progress, extra));
            }
        }
    }

    private static void checkTopK(InferenceService service, int topK) throws StartupException {
        TensorSpec first = service.info().signature().outputs().get(0);
        Task task = service.info().task().task();
        // Integer.MAX_VALUE: "every class where the model has classes" (YMIR), no demand on the model
        if (topK > 0 && topK != Integer.MAX_VALUE && (task != Task.CLASSIFICATION && task != Task.RAW
                || (first.shape() != null && first.shape().length > 2))) {
            throw new StartupException("--top-k needs a classifier (one row of class scores per image), but the "
                    + "model's task is " + task.wireName() + " and output '" + first.name() + "' has shape "
                    + java.util.Arrays.toString(first.shape()), ExitCodes.CONFIG, null);
        }
    }

    /**
     * Detectors and segmenters are answered (detections, segments in each record), classifiers when
     * top-k is asked (probabilities); raw models and classifiers without top-k record their outputs.
     */
    private static AnswerOptions answering(ModelTask task, int topK) {
        if (task.task() == Task.RAW || (task.task() == Task.CLASSIFICATION && topK <= 0)) {
            return null;
        }
        return new AnswerOptions(task.defaults().conf(), task.defaults().iou(), task.defaults().maxDet(),
                task.defaults().agnostic(), topK == Integer.MAX_VALUE ? 0 : topK);
    }

    private static BatchRunner.Sink sink(ResultFile out, int topK, List<String> labels) {
        return new BatchRunner.Sink() {
            @Override
            public void succeeded(InputItem item, Map<String, Tensor> outputs) throws IOException {
                out.write(topK > 0
                        ? RecordJson.topK(item.key(), TopClasses.of(outputs.values().iterator().next(), topK, labels))
                        : RecordJson.outputs(item.key(), outputs));
            }

            @Override
            public void answered(InputItem item, ImageAnswer answer) throws IOException {
                out.write(RecordJson.answer(item.key(), answer));
            }

            @Override
            public void failed(InputItem item, ServingException error) throws IOException {
                out.write(RecordJson.error(item.key(), error.getMessage()));
            }
        };
    }

    private static MetricsEndpoint metricsEndpoint(RuntimeConfig.BatchSettings b, RuntimeMetrics metrics)
            throws StartupException {
        if (b.metricsPort() == null) {
            return null;
        }
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(b.metricsHost(), b.metricsPort(), metrics);
            log.info("batch: metrics on http://{}:{}/metrics", b.metricsHost(), endpoint.port());
            return endpoint;
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot listen on " + b.metricsHost() + ":" + b.metricsPort() + " for metrics: "
                    + e.getMessage(), ExitCodes.PORT, e);
        }
    }

    private static List<ProgressDisplay> displays(RuntimeConfig config, Progress progress, List<ProgressDisplay> extra) {
        List<ProgressDisplay> all = new ArrayList<>(extra);
        Progress.Snapshot start = progress.snapshot();
        all.add(ProgressBarDisplay.terminal() ? new ProgressBarDisplay(start.total(), start.done())
                : new ProgressLog(config.batch().progressInterval()));
        return all;
    }

    /** Runs the images with a ticker flushing the output and updating the displays; flushes on SIGTERM too. */
    private static void runWithProgress(BatchRunner runner, List<InputItem> todo, ResultFile out, Progress progress,
                                        List<ProgressDisplay> displays) throws IOException {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "batch-progress");
            t.setDaemon(true);
            return t;
        });
        Thread flushOnExit = new Thread(() -> flushQuietly(out), "batch-flush-on-exit");
        Runtime.getRuntime().addShutdownHook(flushOnExit);
        ticker.scheduleWithFixedDelay(() -> {
            flushQuietly(out);
            Progress.Snapshot s = progress.snapshot();
            displays.forEach(d -> d.update(s));
        }, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        try {
            progress.started();
            runner.run(todo);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            ticker.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(flushOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            Progress.Snapshot s = progress.snapshot();
            displays.forEach(d -> d.finish(s));
            if (runner.backoffs() > 0) {
                log.warn("batch: the serving queue was full {} time(s) (the run backed off and retried)", runner.backoffs());
            }
        }
    }

    private static void flushQuietly(ResultFile out) {
        try {
            out.flush();
        } catch (IOException e) {
            log.warn("cannot write {}: {}", out.path(), e.getMessage());
        }
    }
}
