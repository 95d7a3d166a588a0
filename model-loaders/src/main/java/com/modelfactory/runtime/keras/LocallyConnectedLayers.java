package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 2 LocallyConnected1D/2D (implementation 1): a convolution with its own kernel per output
 * position. Keras' local_conv flattens each input patch, stacks them position-major and multiplies
 * every position by its kernel (batch_dot); here the patches come from ExtractImagePatches and the
 * per-position products from one batched matmul.
 */
final class LocallyConnectedLayers {
    private LocallyConnectedLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("LocallyConnected2D", unary(LocallyConnectedLayers::locallyConnected2d));
        m.put("LocallyConnected1D", unary(LocallyConnectedLayers::locallyConnected1d));
    }

    static Operand<TFloat32> locallyConnected2d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        check(c);
        Ops tf = c.tf;
        boolean cf = c.channelsFirst();
        long[] k = c.ints("kernel_size", 2, null);
        long[] s = c.ints("strides", 2, new long[] {1, 1});
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        long channels = c.staticDim(in, 3);
        Operand<TFloat32> patches = tf.image.extractImagePatches(in, LayerContext.list(1, k[0], k[1], 1),
                LayerContext.list(1, s[0], s[1], 1), LayerContext.list(1, 1, 1, 1), "VALID");
        long oh = c.staticDim(patches, 1);
        long ow = c.staticDim(patches, 2);
        if (cf) {
            // Keras flattens a channels_first patch as (channel, row, col); the patches come as (row, col, channel).
            patches = tf.reshape(patches, c.batchShape(patches, oh, ow, k[0], k[1], channels));
            patches = tf.linalg.transpose(patches, c.ints(0, 1, 2, 5, 3, 4));
        }
        Operand<TFloat32> out = perPosition(c, patches, oh * ow, k[0] * k[1] * channels);
        long filters = c.staticDim(out, 2);
        out = tf.reshape(out, c.ints(oh, ow, -1, filters));
        out = tf.linalg.transpose(out, cf ? c.ints(2, 3, 0, 1) : c.ints(2, 0, 1, 3));
        if (c.bool("use_bias", true)) {
            Operand<TFloat32> bias = c.weight(1, "bias");
            // Keras' bias_add reshapes (not transposes) the (rows, cols, filters) bias for channels_first.
            out = tf.math.add(out, cf ? tf.reshape(bias, c.ints(1, filters, oh, ow)) : bias);
        }
        return c.activation(out);
    }

    static Operand<TFloat32> locallyConnected1d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 3);
        check(c);
        if (c.channelsFirst()) {
            throw c.unsupported("data_format 'channels_first'");
        }
        Ops tf = c.tf;
        long k = c.ints("kernel_size", 1, null)[0];
        long s = c.ints("strides", 1, new long[] {1})[0];
        long channels = c.staticDim(x, 2);
        Operand<TFloat32> patches = tf.image.extractImagePatches(tf.expandDims(x, tf.constant(1)),
                LayerContext.list(1, 1, k, 1), LayerContext.list(1, 1, s, 1), LayerContext.list(1, 1, 1, 1), "VALID");
        long length = c.staticDim(patches, 2);
        Operand<TFloat32> out = perPosition(c, patches, length, k * channels);
        out = tf.linalg.transpose(out, c.ints(1, 0, 2));
        if (c.bool("use_bias", true)) {
            out = tf.math.add(out, c.weight(1, "bias"));
        }
        return c.activation(out);
    }

    /** [batch, ..., K] patches -> [positions, batch, filters] with the kernel of each position. */
    private static Operand<TFloat32> perPosition(LayerContext c, Operand<TFloat32> patches, long positions, long features)
            throws ModelLoadException {
        Ops tf = c.tf;
        Operand<TFloat32> flat = tf.reshape(patches, c.batchShape(patches, positions, features));
        Operand<TFloat32> byPosition = tf.linalg.transpose(flat, c.ints(1, 0, 2));
        return tf.train.batchMatMul(byPosition, c.weight(0, "kernel"), TFloat32.class);
    }

    private static void check(LayerContext c) throws ModelLoadException {
        if (c.integer("implementation", 1) != 1) {
            throw c.unsupported("implementation=" + c.integer("implementation", 1) + " (only 1, the default)");
        }
        if (!"valid".equals(c.string("padding", "valid"))) {
            throw c.unsupported("padding '" + c.string("padding", "valid") + "'");
        }
    }
}
