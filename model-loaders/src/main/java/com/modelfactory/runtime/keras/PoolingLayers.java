package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;

/** Max and average pooling, local (1D runs as 2D over a height of 1) and global. */
final class PoolingLayers {
    private PoolingLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("MaxPooling2D", unary((c, x) -> pool2d(c, x, true)));
        m.put("AveragePooling2D", unary((c, x) -> pool2d(c, x, false)));
        m.put("MaxPooling1D", unary((c, x) -> pool1d(c, x, true)));
        m.put("AveragePooling1D", unary((c, x) -> pool1d(c, x, false)));
        m.put("GlobalAveragePooling2D", unary((c, x) -> global(c, x, 2, false)));
        m.put("GlobalMaxPooling2D", unary((c, x) -> global(c, x, 2, true)));
        m.put("GlobalAveragePooling1D", unary((c, x) -> global(c, x, 1, false)));
        m.put("GlobalMaxPooling1D", unary((c, x) -> global(c, x, 1, true)));
    }

    static Operand<TFloat32> pool2d(LayerContext c, Operand<TFloat32> x, boolean max) throws ModelLoadException {
        c.requireRank(x, 4);
        boolean cf = c.channelsFirst();
        long[] size = c.ints("pool_size", 2, new long[] {2, 2});
        long[] strides = c.ints("strides", 2, size);
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> y = pool(c, in, max, List.of(1L, size[0], size[1], 1L), List.of(1L, strides[0], strides[1], 1L));
        return cf ? c.toChannelsFirst(y) : y;
    }

    static Operand<TFloat32> pool1d(LayerContext c, Operand<TFloat32> x, boolean max) throws ModelLoadException {
        c.requireRank(x, 3);
        Ops tf = c.tf;
        boolean cf = c.channelsFirst();
        long size = c.ints("pool_size", 1, new long[] {2})[0];
        long stride = c.ints("strides", 1, new long[] {size})[0];
        Operand<TFloat32> in = tf.expandDims(cf ? c.toChannelsLast(x) : x, tf.constant(1));
        Operand<TFloat32> y = pool(c, in, max, List.of(1L, 1L, size, 1L), List.of(1L, 1L, stride, 1L));
        y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        return cf ? c.toChannelsFirst(y) : y;
    }

    private static Operand<TFloat32> pool(LayerContext c, Operand<TFloat32> in, boolean max, List<Long> ksize,
                                          List<Long> strides) throws ModelLoadException {
        if (max) {
            return c.tf.nn.maxPool(in, c.ints(ksize.stream().mapToLong(Long::longValue).toArray()),
                    c.ints(strides.stream().mapToLong(Long::longValue).toArray()), c.tfPadding());
        }
        return c.tf.nn.avgPool(in, ksize, strides, c.tfPadding());
    }

    static Operand<TFloat32> global(LayerContext c, Operand<TFloat32> x, int spatialDims, boolean max)
            throws ModelLoadException {
        c.requireRank(x, spatialDims + 2);
        boolean cf = c.channelsFirst();
        long[] axes = new long[spatialDims];
        for (int i = 0; i < spatialDims; i++) {
            axes[i] = cf ? i + 2 : i + 1;
        }
        boolean keep = c.bool("keepdims", false);
        if (max) {
            return c.tf.max(x, c.ints(axes), org.tensorflow.op.core.Max.keepDims(keep));
        }
        return c.tf.math.mean(x, c.ints(axes), org.tensorflow.op.math.Mean.keepDims(keep));
    }
}
