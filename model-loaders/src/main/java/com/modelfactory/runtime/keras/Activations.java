package com.modelfactory.runtime.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras activation functions, by the names a config uses, as TF ops. */
final class Activations {
    static final List<String> SUPPORTED = List.of("linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh",
            "softmax", "softplus", "softsign", "elu", "selu", "swish", "silu", "gelu", "exponential", "leaky_relu",
            "hard_swish", "hard_silu", "mish", "log_softmax");

    private Activations() {
    }

    /** spec: a name, null (linear), or a Keras 3 serialized function {"class_name": "function", "config": "relu"}. */
    static Operand<TFloat32> apply(LayerContext c, JsonElement spec, Operand<TFloat32> x) throws ModelLoadException {
        String name = name(spec);
        Ops tf = c.tf;
        return switch (name) {
            case "linear" -> x;
            case "relu" -> tf.nn.relu(x);
            case "relu6" -> tf.nn.relu6(x);
            case "sigmoid" -> tf.math.sigmoid(x);
            case "hard_sigmoid" -> hardSigmoid(c, x);
            case "tanh" -> tf.math.tanh(x);
            case "softmax" -> softmaxLastAxis(c, x);
            case "log_softmax" -> tf.nn.logSoftmax(x);
            case "softplus" -> tf.math.softplus(x);
            case "softsign" -> tf.nn.softsign(x);
            case "elu" -> tf.nn.elu(x);
            case "selu" -> tf.nn.selu(x);
            case "swish", "silu" -> tf.math.mul(x, tf.math.sigmoid(x));
            case "gelu" -> gelu(c, x);
            case "exponential" -> tf.math.exp(x);
            case "leaky_relu" -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(0.2f));
            case "hard_swish", "hard_silu" -> tf.math.mul(x, hardSigmoid(c, x));
            case "mish" -> tf.math.mul(x, tf.math.tanh(tf.math.softplus(x)));
            default -> throw c.unsupported("activation '" + name + "' (supported activations: " + SUPPORTED + ")");
        };
    }

    static String name(JsonElement spec) {
        if (spec == null || spec.isJsonNull()) {
            return "linear";
        }
        if (spec.isJsonPrimitive()) {
            return spec.getAsString();
        }
        JsonObject o = spec.getAsJsonObject();
        JsonElement config = o.get("config");
        if (config != null && config.isJsonPrimitive()) {
            return config.getAsString();
        }
        String cls = ModelConfigParser.string(o, "class_name");
        return cls == null ? spec.toString() : cls;
    }

    /** Keras softmax works on the last axis for any rank; TF's Softmax op does too. */
    static Operand<TFloat32> softmaxLastAxis(LayerContext c, Operand<TFloat32> x) {
        return c.tf.nn.softmax(x);
    }

    static Operand<TFloat32> hardSigmoid(LayerContext c, Operand<TFloat32> x) {
        Ops tf = c.tf;
        if (c.dialect.hardSigmoidIsLinearClip()) {
            Operand<TFloat32> lin = tf.math.add(tf.math.mul(x, c.scalar(0.2)), c.scalar(0.5));
            return tf.clipByValue(lin, c.scalar(0), c.scalar(1));
        }
        return tf.math.div(tf.nn.relu6(tf.math.add(x, c.scalar(3))), c.scalar(6));
    }

    /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)): the default of both tf.keras and Keras 3. */
    static Operand<TFloat32> gelu(LayerContext c, Operand<TFloat32> x) {
        Ops tf = c.tf;
        Operand<TFloat32> erf = tf.math.erf(tf.math.mul(x, c.scalar(1 / Math.sqrt(2))));
        return tf.math.mul(tf.math.mul(x, c.scalar(0.5)), tf.math.add(c.scalar(1), erf));
    }
}
