package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Element-wise merges (with broadcasting, as Keras 3 allows) and Concatenate. */
final class MergeLayers {
    private MergeLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Add", fold((tf, a, b) -> tf.math.add(a, b)));
        m.put("Multiply", fold((tf, a, b) -> tf.math.mul(a, b)));
        m.put("Maximum", fold((tf, a, b) -> tf.math.maximum(a, b)));
        m.put("Minimum", fold((tf, a, b) -> tf.math.minimum(a, b)));
        m.put("Average", (c, in) -> {
            Operand<TFloat32> sum = reduce(c, in, (a, b) -> c.tf.math.add(a, b));
            return List.of(c.tf.math.div(sum, c.scalar(in.size())));
        });
        m.put("Subtract", (c, in) -> {
            if (in.size() != 2) {
                throw c.unsupported("Subtract on " + in.size() + " tensors (it takes exactly two)");
            }
            return List.of(c.tf.math.sub(in.get(0), in.get(1)));
        });
        m.put("Dot", MergeLayers::dot);
        m.put("Concatenate", (c, in) -> List.of(c.tf.concat(in, c.tf.constant(c.integer("axis", -1)))));
    }

    /**
     * Keras batch_dot of two rank-2 or rank-3 tensors over the given axes (optionally l2-normalised
     * first): the contracted axis of x moves last, that of y to position 1, and a batched matmul
     * contracts them. Rank 2 gives [batch, 1], as Keras does.
     */
    static List<Operand<TFloat32>> dot(LayerContext c, List<Operand<TFloat32>> in) throws ModelLoadException {
        if (in.size() != 2) {
            throw c.unsupported("Dot on " + in.size() + " tensors (it takes exactly two)");
        }
        Ops tf = c.tf;
        Operand<TFloat32> x = in.get(0);
        Operand<TFloat32> y = in.get(1);
        int rx = LayerContext.rank(x);
        int ry = LayerContext.rank(y);
        if (rx != ry || rx < 2 || rx > 3) {
            throw c.unsupported("Dot of tensors of rank " + rx + " and " + ry + " (ranks 2 and 3, equal, are supported)");
        }
        long[] axes = c.ints("axes", 2, null);
        long ax = axes[0] < 0 ? axes[0] + rx : axes[0];
        long ay = axes[1] < 0 ? axes[1] + ry : axes[1];
        if (ax == 0 || ay == 0) {
            throw c.unsupported("Dot over the batch axis");
        }
        if (c.bool("normalize", false)) {
            x = l2Normalize(c, x, ax);
            y = l2Normalize(c, y, ay);
        }
        if (rx == 2) {
            Operand<TFloat32> prod = tf.math.mul(x, y);
            return List.of(tf.sum(prod, tf.constant(1), org.tensorflow.op.core.Sum.keepDims(true)));
        }
        Operand<TFloat32> xs = ax == 2 ? x : tf.linalg.transpose(x, c.ints(0, 2, 1));
        Operand<TFloat32> ys = ay == 1 ? y : tf.linalg.transpose(y, c.ints(0, 2, 1));
        return List.of(tf.train.batchMatMul(xs, ys, TFloat32.class));
    }

    private static Operand<TFloat32> l2Normalize(LayerContext c, Operand<TFloat32> x, long axis) {
        Ops tf = c.tf;
        Operand<TFloat32> sq = tf.sum(tf.math.square(x), c.ints(axis), org.tensorflow.op.core.Sum.keepDims(true));
        return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, c.scalar(1e-12))));
    }

    private interface Binary {
        Operand<TFloat32> apply(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b);
    }

    private static LayerConverter fold(Binary op) {
        return (c, in) -> List.of(reduce(c, in, (a, b) -> op.apply(c.tf, a, b)));
    }

    private static Operand<TFloat32> reduce(LayerContext c, List<Operand<TFloat32>> in, BinaryOperator<Operand<TFloat32>> op)
            throws ModelLoadException {
        if (in.isEmpty()) {
            throw c.unsupported("a merge of no tensors");
        }
        Operand<TFloat32> acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = op.apply(acc, in.get(i));
        }
        return acc;
    }
}
