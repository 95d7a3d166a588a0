package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.google.gson.JsonElement;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Arrays;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** BatchNormalization (inference statistics), LayerNormalization, Rescaling and Normalization. */
final class NormalizationLayers {
    private NormalizationLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("BatchNormalization", unary(NormalizationLayers::batchNorm));
        m.put("LayerNormalization", unary(NormalizationLayers::layerNorm));
        m.put("Rescaling", unary(NormalizationLayers::rescaling));
        m.put("Normalization", unary(NormalizationLayers::normalization));
    }

    /** (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta, parameters broadcast along axis. */
    static Operand<TFloat32> batchNorm(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        int rank = LayerContext.rank(x);
        int axis = singleAxis(c, rank);
        boolean center = c.bool("center", true);
        boolean scale = c.bool("scale", true);
        // Weights are gamma, beta, moving_mean, moving_variance, minus the ones scale/center switch off.
        int pos = 0;
        Operand<TFloat32> gamma = scale ? c.weight(pos++, "gamma") : null;
        Operand<TFloat32> beta = center ? c.weight(pos++, "beta") : null;
        Operand<TFloat32> mean = c.weight(pos++, "moving_mean", "running_mean");
        Operand<TFloat32> variance = c.weight(pos, "moving_variance", "running_std");
        long[] bshape = broadcastShape(rank, axis, c.staticDim(x, axis));
        Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, c.scalar(c.number("epsilon", 1e-3))));
        if (gamma != null) {
            inv = tf.math.mul(inv, gamma);
        }
        Operand<TFloat32> y = tf.math.mul(tf.math.sub(x, reshape(c, mean, bshape)), reshape(c, inv, bshape));
        if (beta != null) {
            y = tf.math.add(y, reshape(c, beta, bshape));
        }
        return y;
    }

    static Operand<TFloat32> layerNorm(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        if (c.bool("rms_scaling", false)) {
            throw c.unsupported("rms_scaling=true");
        }
        int rank = LayerContext.rank(x);
        long[] axes = axes(c, rank);
        Operand<TFloat32> mean = tf.math.mean(x, c.ints(axes), Mean.keepDims(true));
        Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, mean), c.ints(axes), Mean.keepDims(true));
        Operand<TFloat32> y = tf.math.mul(tf.math.sub(x, mean),
                tf.math.rsqrt(tf.math.add(variance, c.scalar(c.number("epsilon", 1e-3)))));
        // gamma/beta have the shape of the normalised axes; broadcast them over the others.
        long[] pshape = new long[rank];
        Arrays.fill(pshape, 1);
        for (long a : axes) {
            pshape[(int) a] = c.staticDim(x, (int) a);
        }
        int pos = 0;
        if (c.bool("scale", true)) {
            y = tf.math.mul(y, reshape(c, c.weight(pos++, "gamma"), pshape));
        }
        if (c.bool("center", true)) {
            y = tf.math.add(y, reshape(c, c.weight(pos, "beta"), pshape));
        }
        return y;
    }

    static Operand<TFloat32> rescaling(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        return tf.math.add(tf.math.mul(x, numbers(c, "scale", 1)), numbers(c, "offset", 0));
    }

    /** (x - mean) / max(sqrt(variance), epsilon), with mean/variance from adapt() (weights) or the config. */
    static Operand<TFloat32> normalization(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        if (c.bool("invert", false)) {
            throw c.unsupported("invert=true");
        }
        int rank = LayerContext.rank(x);
        long[] axes = c.has("axis") ? axesOf(c, c.raw("axis"), rank) : new long[] {rank - 1};
        long[] pshape = new long[rank];
        Arrays.fill(pshape, 1);
        for (long a : axes) {
            pshape[(int) a] = c.staticDim(x, (int) a);
        }
        Operand<TFloat32> mean = c.has("mean") ? numbers(c, "mean", 0) : c.weight(0, "mean");
        Operand<TFloat32> variance = c.has("variance") ? numbers(c, "variance", 1) : c.weight(1, "variance");
        Operand<TFloat32> std = tf.math.maximum(tf.math.sqrt(variance), c.scalar(1e-7));
        return tf.math.div(tf.math.sub(x, reshape(c, mean, pshape)), reshape(c, std, pshape));
    }

    private static Operand<TFloat32> reshape(LayerContext c, Operand<TFloat32> p, long[] shape) {
        long[] d = LayerContext.dims(p);
        if (d != null && d.length == 0) {
            return p;
        }
        return c.tf.reshape(p, c.ints(shape));
    }

    /** A config number or list of numbers as a constant. */
    private static Operand<TFloat32> numbers(LayerContext c, String key, double fallback) {
        JsonElement e = c.raw(key);
        if (e == null) {
            return c.scalar(fallback);
        }
        if (e.isJsonPrimitive()) {
            return c.scalar(e.getAsDouble());
        }
        var a = e.getAsJsonArray();
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return c.constant(new long[] {v.length}, v);
    }

    private static long[] broadcastShape(int rank, int axis, long size) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        s[axis] = size;
        return s;
    }

    private static int singleAxis(LayerContext c, int rank) throws ModelLoadException {
        long[] a = axes(c, rank);
        if (a.length != 1) {
            throw c.unsupported("axis=" + c.raw("axis") + " (one axis expected)");
        }
        return (int) a[0];
    }

    private static long[] axes(LayerContext c, int rank) throws ModelLoadException {
        JsonElement e = c.raw("axis");
        return e == null ? new long[] {rank - 1} : axesOf(c, e, rank);
    }

    private static long[] axesOf(LayerContext c, JsonElement e, int rank) throws ModelLoadException {
        long[] out;
        if (e.isJsonPrimitive()) {
            out = new long[] {e.getAsLong()};
        } else {
            var a = e.getAsJsonArray();
            out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).getAsLong();
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                out[i] += rank;
            }
            if (out[i] <= 0 || out[i] >= rank) {
                throw c.unsupported("axis=" + e + " for an input of rank " + rank);
            }
        }
        return out;
    }
}
