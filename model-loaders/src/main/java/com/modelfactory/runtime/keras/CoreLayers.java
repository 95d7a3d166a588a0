package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.google.gson.JsonArray;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Dense, Activation, the inference-time identities, Embedding and the reshaping core layers. */
final class CoreLayers {
    private CoreLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Dense", unary(CoreLayers::dense));
        m.put("Activation", unary(LayerContext::activation));
        // Regularisation layers only act while training.
        for (String identity : new String[] {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"}) {
            m.put(identity, unary((c, x) -> x));
        }
        m.put("Flatten", unary(CoreLayers::flatten));
        m.put("Reshape", unary(CoreLayers::reshape));
        m.put("Permute", unary(CoreLayers::permute));
        m.put("RepeatVector", unary(CoreLayers::repeatVector));
        m.put("Embedding", unary(CoreLayers::embedding));
    }

    /** Dense applies to the last axis whatever the rank, as Keras' tensordot does. */
    static Operand<TFloat32> dense(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Ops tf = c.tf;
        Operand<TFloat32> kernel = c.weight(0, "kernel");
        long[] k = LayerContext.dims(kernel);
        int rank = LayerContext.rank(x);
        Operand<TFloat32> y;
        if (rank == 2) {
            y = tf.linalg.matMul(x, kernel);
        } else if (rank > 2) {
            long[] d = LayerContext.dims(x);
            long[] middle = new long[rank - 1];
            for (int i = 1; i < rank - 1; i++) {
                middle[i - 1] = c.staticDim(x, i);
            }
            middle[rank - 2] = k[1];
            Operand<TFloat32> flat = tf.reshape(x, c.ints(-1, d[rank - 1] < 0 ? k[0] : d[rank - 1]));
            y = tf.reshape(tf.linalg.matMul(flat, kernel), c.batchShape(x, middle));
        } else {
            throw c.unsupported("an input of rank " + rank);
        }
        if (c.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, c.weight(1, "bias"));
        }
        return c.activation(y);
    }

    /** Flatten(data_format=channels_first) moves channels last first, to keep the weight order Keras had. */
    static Operand<TFloat32> flatten(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        if (LayerContext.rank(x) >= 3 && c.channelsFirst()) {
            x = c.toChannelsLast(x);
        }
        return c.tf.reshape(x, c.batchShape(x, -1));
    }

    static Operand<TFloat32> reshape(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        if (!c.has("target_shape")) {
            throw c.unsupported("a Reshape without target_shape");
        }
        long[] target = LayerContext.shape(c.raw("target_shape"));
        return c.tf.reshape(x, c.batchShape(x, target));
    }

    static Operand<TFloat32> permute(LayerContext c, Operand<TFloat32> x) {
        JsonArray dims = c.raw("dims").getAsJsonArray();
        long[] perm = new long[dims.size() + 1];
        for (int i = 0; i < dims.size(); i++) {
            perm[i + 1] = dims.get(i).getAsLong();
        }
        return c.tf.linalg.transpose(x, c.ints(perm));
    }

    static Operand<TFloat32> repeatVector(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 2);
        long n = c.integer("n", 1);
        Operand<TFloat32> expanded = c.tf.expandDims(x, c.tf.constant(1));
        return c.tf.tile(expanded, c.ints(1, n, 1));
    }

    /** Looks up rows of the embeddings matrix; the ids arrive as floats (exact up to 2^24) or ints cast to float. */
    static Operand<TFloat32> embedding(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        Operand<TFloat32> table = c.weight(0, "embeddings");
        Operand<TInt32> ids = c.tf.dtypes.cast(x, TInt32.class);
        return c.tf.gather(table, ids, c.tf.constant(0));
    }
}
