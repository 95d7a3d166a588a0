package com.modelfactory.runtime.bench.ceiling;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The engine alone, in process, no HTTP: how many inferences per second the model does at batch sizes
 * 1, 8 and 32 through the same seam the server uses. This is the ceiling the server is measured against.
 *
 * <pre>
 * java -cp ... com.modelfactory.runtime.bench.ceiling.CeilingRunner --model m.onnx [--format onnx]
 *     [--batches 1,8,32] [--threads 1] [--intra 0] [--input-shape 3,224,224] [--warmup 2] [--duration 5]
 *     [--engine-option session.intra_op.allow_spinning=0]... [--out ceiling.json]
 * </pre>
 */
public final class CeilingRunner {
    private CeilingRunner() {
    }

    /** The command line: what to load, the batches to measure, how long, and where to write the JSON. */
    private static final class Args {
        Path model;
        ModelFormat format;
        int[] batches = {1, 8, 32};
        int threads = 1;
        int intra;
        long[] itemShape;
        String inputName;
        double warmup = 2;
        double duration = 5;
        String out;
        String label;
        final Map<String, String> engineOptions = new java.util.LinkedHashMap<>();

        static Args parse(String[] args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--model" -> a.model = Path.of(args[++i]);
                    case "--format" -> a.format = ModelFormat.fromId(args[++i]);
                    case "--batches" -> a.batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--threads" -> a.threads = Integer.parseInt(args[++i]);
                    case "--intra" -> a.intra = Integer.parseInt(args[++i]);
                    case "--input-shape" -> a.itemShape = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
                    case "--input-name" -> a.inputName = args[++i];
                    case "--warmup" -> a.warmup = Double.parseDouble(args[++i]);
                    case "--duration" -> a.duration = Double.parseDouble(args[++i]);
                    case "--label" -> a.label = args[++i];
                    case "--out" -> a.out = args[++i];
                    case "--engine-option" -> {
                        String[] kv = args[++i].split("=", 2);
                        a.engineOptions.put(kv[0], kv.length > 1 ? kv[1] : "");
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (a.model == null) {
                throw new IllegalArgumentException("--model is required");
            }
            if (a.format == null) {
                a.format = guessFormat(a.model);
            }
            return a;
        }
    }

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        LoadOptions options = new LoadOptions(a.model, Device.CPU, a.intra, 0, null, List.of(), List.of(), null,
                a.engineOptions);
        long loadStart = System.nanoTime();
        List<String> rows = new ArrayList<>();
        try (LoadedModel loaded = Engines.load(a.format, options)) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            TensorSpec input = loaded.signature().inputs().isEmpty() ? null : loaded.signature().inputs().get(0);
            String name = a.inputName != null ? a.inputName : input != null ? input.name() : "input0";
            long[] itemShape = a.itemShape != null ? a.itemShape : itemShape(input);
            System.out.printf(Locale.ROOT, "%s: %s on %s, loaded in %.2f s, input %s %s%n", a.model.getFileName(),
                    loaded.engine(), loaded.device(), loadSeconds, name, Arrays.toString(itemShape));
            for (int batch : a.batches) {
                Row row = measure(loaded, name, itemShape, batch, a.threads, a.warmup, a.duration);
                System.out.printf(Locale.ROOT, "  batch %3d x %d threads: %10.1f inferences/s  batch p50 %.2f ms  p99 %.2f ms%n",
                        batch, a.threads, row.inferencesPerSecond, row.p50Ms, row.p99Ms);
                rows.add(row.toJson());
            }
            if (a.out != null) {
                String json = String.format(Locale.ROOT,
                        "{\"label\":\"%s\",\"model\":\"%s\",\"format\":\"%s\",\"engine\":\"%s\",\"device\":\"%s\","
                                + "\"engine_details\":\"%s\",\"engine_options\":\"%s\","
                                + "\"threads\":%d,\"intra_op_threads\":%d,\"load_s\":%.3f,\"batches\":[%s]}%n",
                        a.label == null ? a.model.getFileName() : a.label, a.model, a.format.id(), loaded.engine(),
                        loaded.device(), String.valueOf(loaded.details()).replace("\"", "'"), a.engineOptions,
                        a.threads, a.intra, loadSeconds, String.join(",", rows));
                Files.writeString(Path.of(a.out), json);
            }
        }
    }

    /** The item shape the model states (its input's shape without the batch dimension). */
    private static long[] itemShape(TensorSpec input) {
        if (input == null || !input.shapeKnown()) {
            throw new IllegalArgumentException("the model does not say its input shape: pass --input-shape");
        }
        long[] s = input.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    static ModelFormat guessFormat(Path model) {
        String n = model.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".onnx")) {
            return ModelFormat.ONNX;
        }
        if (n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".torchscript")) {
            return ModelFormat.TORCHSCRIPT;
        }
        if (n.endsWith(".h5") || n.endsWith(".hdf5") || n.endsWith(".keras")) {
            return ModelFormat.KERAS_H5;
        }
        throw new IllegalArgumentException("cannot guess the format of " + model + ": pass --format");
    }

    private record Row(int batch, int threads, double inferencesPerSecond, double batchesPerSecond, double p50Ms,
                       double p99Ms, long batchesRun) {
        String toJson() {
            return String.format(Locale.ROOT,
                    "{\"batch\":%d,\"threads\":%d,\"inferences_per_s\":%.2f,\"batches_per_s\":%.2f,"
                            + "\"batch_p50_ms\":%.3f,\"batch_p99_ms\":%.3f,\"batches_run\":%d}",
                    batch, threads, inferencesPerSecond, batchesPerSecond, p50Ms, p99Ms, batchesRun);
        }
    }

    private static Row measure(LoadedModel loaded, String name, long[] itemShape, int batch, int threads,
                               double warmup, double duration) throws InterruptedException {
        long[] shape = new long[itemShape.length + 1];
        shape[0] = batch;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        Histogram all = new Histogram(3_600_000_000L, 3);
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        long warmEnd = start + (long) (warmup * 1e9);
        long end = warmEnd + (long) (duration * 1e9);
        CountDownLatch done = new CountDownLatch(threads);
        List<Histogram> hists = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Histogram h = new Histogram(3_600_000_000L, 3);
            hists.add(h);
            int seed = t;
            Thread th = new Thread(() -> {
                try (Predictor p = loaded.newPredictor()) {
                    Map<String, Tensor> in = Map.of(name, randomInput(shape, seed));
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        p.predict(in);
                        long t1 = System.nanoTime();
                        if (t0 >= warmEnd) {
                            h.recordValue(Math.max(1, (t1 - t0) / 1000));
                            count.incrementAndGet();
                        }
                    }
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    done.countDown();
                }
            }, "ceiling-" + t);
            th.start();
        }
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("inference failed at batch " + batch, failures.get(0));
        }
        hists.forEach(all::add);
        long batches = count.get();
        return new Row(batch, threads, batches * batch / duration, batches / duration,
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0, batches);
    }

    private static Tensor randomInput(long[] shape, long seed) {
        Tensor t = Tensor.allocate(DataType.FP32, shape);
        FloatBuffer f = t.mutableData().asFloatBuffer();
        SplittableRandom r = new SplittableRandom(seed);
        while (f.hasRemaining()) {
            f.put((float) r.nextDouble());
        }
        return t;
    }
}
