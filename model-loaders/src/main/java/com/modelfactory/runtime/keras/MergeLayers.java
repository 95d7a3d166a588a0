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
        m.put("Concatenate", (c, in) -> List.of(c.tf.concat(in, c.tf.constant(c.integer("axis", -1)))));
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
