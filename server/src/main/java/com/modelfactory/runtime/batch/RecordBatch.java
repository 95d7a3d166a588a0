package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.answer.TabularAnswers;
import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.RecordColumns;
import com.modelfactory.runtime.startup.ModelNaming;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch run of a tabular model over a CSV or JSON Lines file: records go to the model in chunks, and each
 * gets one JSON line, {@code {"path": "data.csv:2", "answer": {...}}} (the answer /predict gives for it) or
 * {@code {"path", "error"}}. A chunk the model refuses (one record's invalid value) is rerun record by
 * record, so only the bad records are errors. Resume and shards work as for images, by record key.
 */
final class RecordBatch {
    private static final Logger log = LoggerFactory.getLogger(RecordBatch.class);
    /** Records per request: enough to amortise a call, small enough to keep a few in flight. */
    static final int CHUNK = 64;
    private static final int IN_FLIGHT = 4;

    private RecordBatch() {
    }

    /** @return the records recorded as errors (this run's and a resumed run's) */
    static long run(RuntimeConfig config, List<RecordFiles.Row> rows) throws StartupException, IOException {
        RuntimeConfig.BatchSettings b = config.batch();
        List<RecordFiles.Row> mine = shard(rows, b.shard());
        String name = ModelNaming.servedName(config);
        try (ResultFile out = ResultFile.open(b.output(), b.resume());
             InferenceService service = BatchModel.start(config,
                     new RuntimeMetrics(name, config.server().latencyBuckets()), name, false)) {
            if (service.info().task().task() != Task.TABULAR) {
                throw new StartupException("a CSV or JSON Lines input needs a tabular model (PMML, ONNX-ML); this "
                        + "model's task is " + service.info().task().task().wireName(), ExitCodes.CONFIG, null);
            }
            TabularSchema schema = service.info().task().tabular();
            List<RecordFiles.Row> todo = mine.stream().filter(r -> !out.has(r.key())).toList();
            long failed = mine.stream().filter(r -> out.has(r.key()) && out.failedBefore(r.key())).count();
            log.info("batch: {} record(s) in this run's input, {} already in {}, {} to run", mine.size(),
                    mine.size() - todo.size(), b.output(), todo.size());
            long start = System.nanoTime();
            List<CompletableFuture<Long>> flight = new ArrayList<>();
            for (int from = 0; from < todo.size(); from += CHUNK) {
                List<RecordFiles.Row> chunk = todo.subList(from, Math.min(todo.size(), from + CHUNK));
                flight.add(chunk(service, schema, chunk, out));
                if (flight.size() >= IN_FLIGHT) {
                    failed += join(flight.remove(0));
                }
            }
            for (CompletableFuture<Long> f : flight) {
                failed += join(f);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            log.info("batch: {} record(s) run in {} s ({} records/s), {} recorded as errors; results in {}",
                    todo.size(), Math.round(seconds * 10) / 10.0, Math.round(todo.size() / Math.max(seconds, 1e-9)),
                    failed, b.output());
            return failed;
        }
    }

    private static List<RecordFiles.Row> shard(List<RecordFiles.Row> rows, RuntimeConfig.Shard shard) {
        if (shard.all()) {
            return rows;
        }
        List<RecordFiles.Row> mine = new ArrayList<>();
        for (int i = shard.index(); i < rows.size(); i += shard.count()) {
            mine.add(rows.get(i));
        }
        return mine;
    }

    /**
     * Runs a chunk; a refused chunk is rerun record by record, one after the other, chained rather than waited for:
     * the callback runs on the decoder or worker thread that failed the chunk, which the reruns need.
     * @return records recorded as errors
     */
    private static CompletableFuture<Long> chunk(InferenceService service, TabularSchema schema,
                                                 List<RecordFiles.Row> chunk, ResultFile out) {
        return infer(service, chunk).handle((outputs, error) -> {
            try {
                if (error == null) {
                    write(out, chunk, TabularAnswers.answer(schema, outputs));
                    return CompletableFuture.completedFuture(0L);
                }
                if (chunk.size() == 1) {
                    out.write(RecordJson.error(chunk.get(0).key(), message(error)));
                    return CompletableFuture.completedFuture(1L);
                }
                CompletableFuture<Long> failed = CompletableFuture.completedFuture(0L);
                for (RecordFiles.Row row : chunk) {
                    failed = failed.thenCompose(n -> chunk(service, schema, List.of(row), out).thenApply(m -> n + m));
                }
                return failed;
            } catch (IOException e) {
                return CompletableFuture.<Long>failedFuture(e);
            }
        }).thenCompose(f -> f);
    }

    private static CompletableFuture<Map<String, Tensor>> infer(InferenceService service, List<RecordFiles.Row> chunk) {
        List<Map<String, Object>> records = chunk.stream().map(RecordFiles.Row::fields).toList();
        try {
            return service.infer(model -> RecordColumns.of(service.info().signature(), records, false));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void write(ResultFile out, List<RecordFiles.Row> chunk, List<Map<String, Object>> answers)
            throws IOException {
        for (int i = 0; i < chunk.size(); i++) {
            out.write(new JsonObject().put("path", chunk.get(i).key()).put("answer", new JsonObject(answers.get(i)))
                    .encode());
        }
    }

    private static String message(Throwable error) {
        ServingException e = Failures.classify(error);
        return e.getMessage();
    }

    private static long join(CompletableFuture<Long> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
