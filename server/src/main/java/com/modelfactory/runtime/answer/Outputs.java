package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reading decoders' outputs: one batch item's values as floats, in a reused per-thread array. */
public final class Outputs {
    /** Arrays above this many floats (16 MB) are allocated per call, as ImagePreprocessor's scratch. */
    private static final int MAX_KEPT = 1 << 22;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private Outputs() {
    }

    /** Elements of one batch item of {@code t}. */
    public static int perItem(Tensor t) {
        long[] s = t.shape();
        return (int) (s.length == 0 ? 1 : t.elementCount() / Math.max(1, s[0]));
    }

    /**
     * Item {@code item}'s values as floats in scratch slot {@code slot} (0-3; valid until the same slot
     * is read again on this thread). Integer and FP64 outputs are converted.
     */
    public static float[] item(Tensor t, int item, int slot) {
        int n = perItem(t);
        float[] out = scratch(slot, n);
        int offset = item * n;
        if (t.dataType() == DataType.FP32) {
            var data = t.data();
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(offset, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) t.getDouble(offset + i);
            }
        }
        return out;
    }

    /** A reused per-thread array of at least {@code n} floats in scratch slot {@code slot} (0-3). */
    public static float[] scratch(int slot, int n) {
        if (n > MAX_KEPT) {
            return new float[n]; // a huge output is not pinned to the thread
        }
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    /** The output called {@code name}, else the one at {@code index}. */
    public static Tensor named(Map<String, Tensor> outputs, String name, int index) {
        Tensor t = outputs.get(name);
        if (t != null) {
            return t;
        }
        return outputs.values().stream().skip(index).findFirst().orElseThrow();
    }

    /** The spec called {@code name} (null when there is none). */
    public static TensorSpec spec(List<TensorSpec> outputs, String name) {
        return outputs.stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }

    static String shapes(List<TensorSpec> outputs) {
        StringBuilder sb = new StringBuilder();
        for (TensorSpec o : outputs) {
            sb.append(sb.length() == 0 ? "" : ", ").append(o.name()).append(' ').append(Arrays.toString(o.shape()));
        }
        return sb.toString();
    }
}
