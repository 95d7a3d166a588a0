package com.modelfactory.runtime.testing;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A fake model for batching tests (the brief allows fakes for this layer only): input "x" FP32 [N, W],
 * output "y" = 2x + 1. Records every batch it runs, and can hold the engine closed so tests decide
 * what is queued when — with latches, never with sleeps. A batch holding NaN fails as an engine refusing a
 * value does; +Infinity throws a StackOverflowError (a JVM in trouble), -Infinity a LinkageError.
 */
public final class GatedModel implements LoadedModel {
    private final Signature signature;
    private final List<float[][]> batches = Collections.synchronizedList(new ArrayList<>());
    private final Semaphore entered = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** @param batched whether dimension 0 is a batch dimension; @param fixedBatch > 0 for a fixed one */
    public GatedModel(long width, boolean batched, long fixedBatch) {
        long first = fixedBatch > 0 ? fixedBatch : batched ? -1 : 1;
        this.signature = new Signature(List.of(new TensorSpec("x", DataType.FP32, new long[] {first, width})),
                List.of(new TensorSpec("y", DataType.FP32, new long[] {first, width})), batched,
                fixedBatch > 0 ? fixedBatch : 0);
    }

    public static GatedModel dynamic(long width) {
        return new GatedModel(width, true, 0);
    }

    /** From now on every batch waits in the engine until {@link #open()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        gate.countDown();
    }

    /** Waits until a batch has entered the engine (one permit per batch). */
    public void awaitEntered() throws InterruptedException {
        if (!entered.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no batch reached the engine within 30 s");
        }
    }

    /** Every batch run so far: rows of input values as the engine saw them (padding included). */
    public List<float[][]> batches() {
        synchronized (batches) {
            return List.copyOf(batches);
        }
    }

    /** The first value of every row the engine ever saw. */
    public List<Float> rowsSeen() {
        List<Float> out = new ArrayList<>();
        for (float[][] b : batches()) {
            for (float[] row : b) {
                out.add(row[0]);
            }
        }
        return out;
    }

    public static Map<String, Tensor> input(float value, int rows, int width) {
        float[] data = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                data[r * width + c] = value + r * 1000 + c * 0.001f;
            }
        }
        return Map.of("x", Tensor.ofFloats(new long[] {rows, width}, data));
    }

    private static void poison(float v) {
        if (Float.isNaN(v)) {
            throw new IllegalStateException("the fake engine refuses NaN");
        }
        if (v == Float.POSITIVE_INFINITY) {
            throw new StackOverflowError("fake");
        }
        if (v == Float.NEGATIVE_INFINITY) {
            throw new LinkageError("fake");
        }
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return "gated-fake";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Predictor newPredictor() {
        return new Predictor() {
            @Override
            public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                Tensor x = inputs.get("x");
                long[] shape = x.shape();
                FloatBuffer in = x.data().asFloatBuffer();
                float[][] rows = new float[(int) shape[0]][(int) shape[1]];
                float[] out = new float[rows.length * (int) shape[1]];
                for (int r = 0; r < rows.length; r++) {
                    for (int c = 0; c < shape[1]; c++) {
                        float v = in.get();
                        poison(v);
                        rows[r][c] = v;
                        out[r * (int) shape[1] + c] = 2 * v + 1;
                    }
                }
                batches.add(rows);
                entered.release();
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                Map<String, Tensor> result = new LinkedHashMap<>();
                result.put("y", Tensor.ofFloats(shape, out));
                return result;
            }

            @Override
            public void close() {
            }
        };
    }

    private volatile boolean closed;

    @Override
    public void close() {
        closed = true;
    }

    /** Whether the model was closed. */
    public boolean closed() {
        return closed;
    }
}
