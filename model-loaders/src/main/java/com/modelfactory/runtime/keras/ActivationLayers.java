package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/** The advanced activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU. */
final class ActivationLayers {
    private ActivationLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("ReLU", unary(ActivationLayers::relu));
        m.put("LeakyReLU", unary(ActivationLayers::leakyRelu));
        m.put("PReLU", unary(ActivationLayers::prelu));
        m.put("ELU", unary(ActivationLayers::elu));
        m.put("Softmax", unary(ActivationLayers::softmax));
        m.put("ThresholdedReLU", unary(ActivationLayers::thresholdedRelu));
    }

    /** Keras' relu(x, negative_slope, max_value, threshold), step by step as keras.activations.relu computes it. */
    static Operand<TFloat32> relu(LayerContext c, Operand<TFloat32> x) {
        Ops tf = c.tf;
        double slope = c.number("negative_slope", 0);
        double threshold = c.number("threshold", 0);
        Double maxValue = c.has("max_value") ? c.number("max_value", 0) : null;
        Operand<TFloat32> negativePart = null;
        if (slope != 0) {
            if (maxValue == null && threshold == 0) {
                return tf.nn.leakyRelu(x, LeakyRelu.alpha((float) slope));
            }
            negativePart = threshold != 0 ? tf.nn.relu(tf.math.add(tf.math.neg(x), c.scalar(threshold)))
                    : tf.nn.relu(tf.math.neg(x));
        }
        boolean clip = maxValue != null;
        Operand<TFloat32> y;
        if (threshold != 0) {
            y = tf.math.mul(x, tf.dtypes.cast(tf.math.greater(x, c.scalar(threshold)), TFloat32.class));
        } else if (maxValue != null && maxValue == 6.0) {
            y = tf.nn.relu6(x);
            clip = false;
        } else {
            y = tf.nn.relu(x);
        }
        if (clip) {
            y = tf.clipByValue(y, c.scalar(0), c.scalar(maxValue));
        }
        if (negativePart != null) {
            y = tf.math.sub(y, tf.math.mul(c.scalar(slope), negativePart));
        }
        return y;
    }

    /** Keras 2 calls the slope alpha (default 0.3), Keras 3 negative_slope (default 0.3). */
    static Operand<TFloat32> leakyRelu(LayerContext c, Operand<TFloat32> x) {
        double slope = c.has("negative_slope") ? c.number("negative_slope", 0.3) : c.number("alpha", 0.3);
        return c.tf.nn.leakyRelu(x, LeakyRelu.alpha((float) slope));
    }

    /** relu(x) - alpha * relu(-x); alpha has the input's shape without batch (shared axes of size 1). */
    static Operand<TFloat32> prelu(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        Operand<TFloat32> alpha = c.weight(0, "alpha");
        return tf.math.sub(tf.nn.relu(x), tf.math.mul(alpha, tf.nn.relu(tf.math.neg(x))));
    }

    /** relu(x) + alpha * min(elu(x), 0): elu's negative part scaled. */
    static Operand<TFloat32> elu(LayerContext c, Operand<TFloat32> x) {
        Ops tf = c.tf;
        double alpha = c.number("alpha", 1.0);
        if (alpha == 1.0) {
            return tf.nn.elu(x);
        }
        return tf.math.add(tf.nn.relu(x), tf.math.mul(c.scalar(alpha), tf.math.minimum(tf.nn.elu(x), c.scalar(0))));
    }

    static Operand<TFloat32> softmax(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        int rank = LayerContext.rank(x);
        int axis = c.integer("axis", -1);
        if (axis != -1 && axis != rank - 1) {
            throw c.unsupported("axis=" + axis + " (only the last axis)");
        }
        return c.tf.nn.softmax(x);
    }

    /** x where x > theta, else 0. */
    static Operand<TFloat32> thresholdedRelu(LayerContext c, Operand<TFloat32> x) {
        Ops tf = c.tf;
        Operand<TFloat32> theta = c.scalar(c.number("theta", 1.0));
        Operand<TFloat32> mask = tf.dtypes.cast(tf.math.greater(x, theta), TFloat32.class);
        return tf.math.mul(x, mask);
    }
}
