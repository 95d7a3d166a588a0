package com.modelfactory.runtime.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.modelfactory.runtime.engine.ModelLoadException;

/**
 * Rewrites the Keras 1 layer configs that map one-to-one onto Keras 2 (Dense, Convolution1D/2D, pooling)
 * into Keras 2 names, so one set of converters serves both. Anything else keeps its Keras 1 class name
 * and is refused by the registry with the supported list.
 */
final class Keras1Layers {
    record Translated(String className, JsonObject config) {
    }

    private Keras1Layers() {
    }

    static Translated translate(String className, String name, JsonObject c) throws ModelLoadException {
        JsonObject out = c.deepCopy();
        return switch (className) {
            case "Dense" -> dense(out);
            case "Convolution2D" -> convolution2d(name, out);
            case "Convolution1D" -> convolution1d(out);
            case "MaxPooling2D", "AveragePooling2D" -> pooling2d(className, out);
            case "MaxPooling1D", "AveragePooling1D" -> pooling1d(className, out);
            case "Dropout" -> {
                move(out, "p", "rate");
                yield new Translated(className, out);
            }
            case "BatchNormalization" -> batchNormalization(name, out);
            default -> {
                if (out.has("dim_ordering")) {
                    dimOrdering(out);
                }
                yield new Translated(className, out);
            }
        };
    }

    private static Translated dense(JsonObject out) {
        move(out, "output_dim", "units");
        move(out, "bias", "use_bias");
        return new Translated("Dense", out);
    }

    private static Translated convolution2d(String name, JsonObject out) throws ModelLoadException {
        String ordering = dimOrdering(out);
        if ("channels_first".equals(ordering)) {
            throw new ModelLoadException("Keras 1 layer '" + name + "' (Convolution2D) uses dim_ordering 'th' "
                    + "(Theano kernel layout, flipped kernels); only dim_ordering 'tf' Keras 1 convolutions are supported");
        }
        move(out, "nb_filter", "filters");
        out.add("kernel_size", pair(out.get("nb_row"), out.get("nb_col")));
        move(out, "subsample", "strides");
        move(out, "border_mode", "padding");
        move(out, "bias", "use_bias");
        rejectDilation(out, name, "Convolution2D");
        return new Translated("Conv2D", out);
    }

    private static Translated convolution1d(JsonObject out) {
        move(out, "nb_filter", "filters");
        move(out, "filter_length", "kernel_size");
        move(out, "subsample_length", "strides");
        move(out, "border_mode", "padding");
        move(out, "bias", "use_bias");
        return new Translated("Conv1D", out);
    }

    private static Translated pooling2d(String className, JsonObject out) {
        dimOrdering(out);
        move(out, "border_mode", "padding");
        return new Translated(className, out);
    }

    private static Translated pooling1d(String className, JsonObject out) {
        move(out, "pool_length", "pool_size");
        move(out, "stride", "strides");
        move(out, "border_mode", "padding");
        return new Translated(className, out);
    }

    /**
     * Keras 1 mode 0 normalises per feature with running_mean / running_std (a variance); modes 1 and 2
     * normalise each sample with its own statistics, also at inference.
     */
    private static Translated batchNormalization(String name, JsonObject out) throws ModelLoadException {
        int mode = out.has("mode") ? out.get("mode").getAsInt() : 0;
        if (mode != 0) {
            throw new ModelLoadException("Keras 1 layer '" + name + "' (BatchNormalization) uses mode " + mode
                    + "; only mode 0 is supported");
        }
        return new Translated("BatchNormalization", out);
    }

    /** dim_ordering 'tf' / 'th' becomes data_format; returns the data_format it set. */
    private static String dimOrdering(JsonObject c) {
        String o = ModelConfigParser.string(c, "dim_ordering");
        String format = "th".equals(o) ? "channels_first" : "channels_last";
        c.addProperty("data_format", format);
        c.remove("dim_ordering");
        return format;
    }

    private static void rejectDilation(JsonObject c, String name, String className) throws ModelLoadException {
        if (c.has("atrous_rate")) {
            throw new ModelLoadException("Keras 1 layer '" + name + "' (" + className + ") uses atrous_rate, "
                    + "which is not supported");
        }
    }

    private static JsonArray pair(JsonElement a, JsonElement b) {
        JsonArray p = new JsonArray();
        p.add(a);
        p.add(b);
        return p;
    }

    private static void move(JsonObject c, String from, String to) {
        if (c.has(from)) {
            c.add(to, c.remove(from));
        }
    }
}
