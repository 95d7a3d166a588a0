package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Builds the TensorFlow ops of one Keras layer call from its input tensors. */
@FunctionalInterface
interface LayerConverter {

    List<Operand<TFloat32>> apply(LayerContext c, List<Operand<TFloat32>> inputs) throws ModelLoadException;

    /** A layer with one input and one output. */
    @FunctionalInterface
    interface Unary {
        Operand<TFloat32> apply(LayerContext c, Operand<TFloat32> x) throws ModelLoadException;
    }

    static LayerConverter unary(Unary f) {
        return (c, inputs) -> {
            if (inputs.size() != 1) {
                throw c.unsupported("called on " + inputs.size() + " tensors; it takes one");
            }
            return List.of(f.apply(c, inputs.get(0)));
        };
    }
}
