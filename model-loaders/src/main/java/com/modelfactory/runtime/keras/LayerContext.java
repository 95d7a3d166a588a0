package com.modelfactory.runtime.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a converter sees of the layer it builds: the TF ops factory (scoped under the layer's name), the
 * layer's config with typed accessors, its weights, and the Keras dialect.
 */
final class LayerContext {
    final Ops tf;
    private final LayerSpec layer;
    private final LayerWeights weights;
    final KerasDialect dialect;

    LayerContext(Ops tf, LayerSpec layer, LayerWeights weights, KerasDialect dialect) {
        this.tf = tf;
        this.layer = layer;
        this.weights = weights;
        this.dialect = dialect;
    }

    String name() {
        return layer.name();
    }

    String className() {
        return layer.className();
    }

    JsonObject config() {
        return layer.config();
    }

    LayerWeights weights() {
        return weights;
    }

    /** "layer 'conv' (Conv2D): {what} is not supported" — the start-up message for an unsupported option. */
    ModelLoadException unsupported(String what) {
        return new ModelLoadException("Keras layer '" + name() + "' (" + className() + "): " + what
                + " is not supported");
    }

    // ---- config accessors -------------------------------------------------------------------------

    boolean has(String key) {
        JsonElement e = config().get(key);
        return e != null && !e.isJsonNull();
    }

    JsonElement raw(String key) {
        JsonElement e = config().get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    String string(String key, String fallback) {
        JsonElement e = raw(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : fallback;
    }

    boolean bool(String key, boolean fallback) {
        JsonElement e = raw(key);
        return e != null && e.isJsonPrimitive() ? e.getAsBoolean() : fallback;
    }

    double number(String key, double fallback) {
        JsonElement e = raw(key);
        return e != null && e.isJsonPrimitive() ? e.getAsDouble() : fallback;
    }

    int integer(String key, int fallback) {
        JsonElement e = raw(key);
        return e != null && e.isJsonPrimitive() ? e.getAsInt() : fallback;
    }

    /** An int or a list of n ints (kernel_size 3 or [3, 3]); fallback when absent. */
    long[] ints(String key, int n, long[] fallback) throws ModelLoadException {
        JsonElement e = raw(key);
        if (e == null) {
            return fallback;
        }
        long[] out = new long[n];
        if (e.isJsonPrimitive()) {
            Arrays.fill(out, e.getAsLong());
            return out;
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() == 1 && n > 1) {
            Arrays.fill(out, a.get(0).getAsLong());
            return out;
        }
        if (a.size() != n) {
            throw unsupported(key + "=" + a + " (expected " + n + " values)");
        }
        for (int i = 0; i < n; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    /** A list of ints where null entries become -1 (shapes). */
    static long[] shape(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isJsonNull() ? -1 : a.get(i).getAsLong();
        }
        return out;
    }

    boolean channelsFirst() throws ModelLoadException {
        String f = string("data_format", "channels_last");
        return switch (f) {
            case "channels_last" -> false;
            case "channels_first" -> true;
            default -> throw unsupported("data_format '" + f + "'");
        };
    }

    /** Keras padding name to TF's; "causal" is handled by the 1D convolution itself. */
    String tfPadding() throws ModelLoadException {
        String p = string("padding", "valid");
        return switch (p) {
            case "valid" -> "VALID";
            case "same" -> "SAME";
            default -> throw unsupported("padding '" + p + "'");
        };
    }

    // ---- weights and constants --------------------------------------------------------------------

    Operand<TFloat32> weight(int position, String... roles) throws ModelLoadException {
        return constant(weights.require(position, roles));
    }

    /** The weight as a constant, or null when the layer has none by that role. */
    Operand<TFloat32> optionalWeight(int position, String... roles) {
        NamedArray a = weights.find(position, roles);
        return a == null ? null : constant(a);
    }

    Operand<TFloat32> constant(NamedArray a) {
        return tf.constant(Shape.of(a.shape()), DataBuffers.of(a.values(), true, false));
    }

    Operand<TFloat32> constant(long[] shape, float[] values) {
        return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    Operand<TFloat32> scalar(double v) {
        return tf.constant((float) v);
    }

    Operand<TInt32> ints(long... values) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.toIntExact(values[i]);
        }
        return tf.constant(v);
    }

    static List<Long> list(long... values) {
        List<Long> l = new ArrayList<>(values.length);
        for (long v : values) {
            l.add(v);
        }
        return l;
    }

    // ---- shapes -----------------------------------------------------------------------------------

    /** Static dims from graph shape inference, -1 where unknown. */
    static long[] dims(Operand<?> x) {
        Shape s = x.shape();
        if (s.isUnknown()) {
            return null;
        }
        return s.asArray();
    }

    static int rank(Operand<?> x) {
        Shape s = x.shape();
        return s.isUnknown() ? -1 : s.numDimensions();
    }

    int requireRank(Operand<?> x, int... allowed) throws ModelLoadException {
        int r = rank(x);
        for (int a : allowed) {
            if (a == r) {
                return r;
            }
        }
        throw unsupported("an input of rank " + r + " (expected rank " + Arrays.toString(allowed) + ")");
    }

    /** Static dimension i of x; fails when graph shape inference could not tell it. */
    long staticDim(Operand<?> x, int i) throws ModelLoadException {
        long[] d = dims(x);
        int axis = d == null ? -1 : (i < 0 ? d.length + i : i);
        if (d == null || axis < 0 || axis >= d.length || d[axis] < 0) {
            throw unsupported("an input whose dimension " + i + " is not known when the graph is built (shape "
                    + (d == null ? "unknown" : Arrays.toString(d)) + ")");
        }
        return d[axis];
    }

    /** The shape [batch, rest...] where batch is x's dynamic first dimension. */
    Operand<TInt32> batchShape(Operand<?> x, long... rest) {
        Operand<TInt32> batch = tf.stridedSlice(tf.shape(x), ints(0), ints(1), ints(1));
        return tf.concat(List.of(batch, ints(rest)), tf.constant(0));
    }

    /** NCHW-like (channels second) to channels last, for ranks 3 to 5. */
    Operand<TFloat32> toChannelsLast(Operand<TFloat32> x) {
        int r = rank(x);
        long[] perm = new long[r];
        perm[0] = 0;
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        perm[r - 1] = 1;
        return tf.linalg.transpose(x, ints(perm));
    }

    Operand<TFloat32> toChannelsFirst(Operand<TFloat32> x) {
        int r = rank(x);
        long[] perm = new long[r];
        perm[0] = 0;
        perm[1] = r - 1;
        for (int i = 2; i < r; i++) {
            perm[i] = i - 1;
        }
        return tf.linalg.transpose(x, ints(perm));
    }

    /** The layer's "activation" config applied to x. */
    Operand<TFloat32> activation(Operand<TFloat32> x) throws ModelLoadException {
        return Activations.apply(this, raw("activation"), x);
    }
}
