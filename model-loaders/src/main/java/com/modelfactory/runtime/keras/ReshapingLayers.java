package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;

/** Zero padding, cropping and upsampling over the spatial axes. */
final class ReshapingLayers {
    private ReshapingLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("ZeroPadding1D", unary((c, x) -> zeroPadding(c, x, 1)));
        m.put("ZeroPadding2D", unary((c, x) -> zeroPadding(c, x, 2)));
        m.put("Cropping1D", unary((c, x) -> cropping(c, x, 1)));
        m.put("Cropping2D", unary((c, x) -> cropping(c, x, 2)));
        m.put("UpSampling1D", unary(ReshapingLayers::upSampling1d));
        m.put("UpSampling2D", unary(ReshapingLayers::upSampling2d));
    }

    /**
     * Keras writes padding/cropping as an int, a pair (symmetric per axis) or pairs (before, after) per axis;
     * returns [axis][before, after].
     */
    static long[][] amounts(LayerContext c, String key, int spatialDims, long fallback) throws ModelLoadException {
        long[][] out = new long[spatialDims][2];
        JsonElement e = c.raw(key);
        if (e == null) {
            for (long[] a : out) {
                a[0] = fallback;
                a[1] = fallback;
            }
            return out;
        }
        if (e.isJsonPrimitive()) {
            for (long[] a : out) {
                a[0] = e.getAsLong();
                a[1] = e.getAsLong();
            }
            return out;
        }
        JsonArray a = e.getAsJsonArray();
        if (spatialDims == 1) {
            out[0][0] = a.get(0).getAsLong();
            out[0][1] = a.size() > 1 ? a.get(1).getAsLong() : out[0][0];
            return out;
        }
        if (a.size() != spatialDims) {
            throw c.unsupported(key + "=" + a);
        }
        for (int i = 0; i < spatialDims; i++) {
            JsonElement p = a.get(i);
            if (p.isJsonPrimitive()) {
                out[i][0] = p.getAsLong();
                out[i][1] = p.getAsLong();
            } else {
                out[i][0] = p.getAsJsonArray().get(0).getAsLong();
                out[i][1] = p.getAsJsonArray().get(1).getAsLong();
            }
        }
        return out;
    }

    static Operand<TFloat32> zeroPadding(LayerContext c, Operand<TFloat32> x, int spatialDims) throws ModelLoadException {
        c.requireRank(x, spatialDims + 2);
        long[][] pad = amounts(c, "padding", spatialDims, 1);
        boolean cf = spatialDims > 1 && c.channelsFirst();
        int[][] paddings = new int[spatialDims + 2][2];
        for (int i = 0; i < spatialDims; i++) {
            int axis = cf ? i + 2 : i + 1;
            paddings[axis][0] = (int) pad[i][0];
            paddings[axis][1] = (int) pad[i][1];
        }
        return c.tf.pad(x, c.tf.constant(paddings), c.scalar(0));
    }

    static Operand<TFloat32> cropping(LayerContext c, Operand<TFloat32> x, int spatialDims) throws ModelLoadException {
        int rank = c.requireRank(x, spatialDims + 2);
        long[][] crop = amounts(c, "cropping", spatialDims, spatialDims == 1 ? 1 : 0);
        boolean cf = spatialDims > 1 && c.channelsFirst();
        long[] begin = new long[rank];
        long[] size = new long[rank];
        java.util.Arrays.fill(size, -1);
        for (int i = 0; i < spatialDims; i++) {
            int axis = cf ? i + 2 : i + 1;
            begin[axis] = crop[i][0];
            size[axis] = c.staticDim(x, axis) - crop[i][0] - crop[i][1];
        }
        return c.tf.slice(x, c.ints(begin), c.ints(size));
    }

    /** Repeats every step size times: [b, s, c] -> [b, s, size, c] -> [b, s * size, c]. */
    static Operand<TFloat32> upSampling1d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 3);
        Ops tf = c.tf;
        long size = c.integer("size", 2);
        long steps = c.staticDim(x, 1);
        long channels = c.staticDim(x, 2);
        Operand<TFloat32> tiled = tf.tile(tf.expandDims(x, tf.constant(2)), c.ints(1, 1, size, 1));
        return tf.reshape(tiled, c.batchShape(x, steps * size, channels));
    }

    static Operand<TFloat32> upSampling2d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        boolean cf = c.channelsFirst();
        long[] size = c.ints("size", 2, new long[] {2, 2});
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        var outSize = c.ints(c.staticDim(in, 1) * size[0], c.staticDim(in, 2) * size[1]);
        String interpolation = c.string("interpolation", "nearest");
        Operand<TFloat32> y = switch (interpolation) {
            // Integer factors with neither align_corners nor half-pixel centres repeat each pixel.
            case "nearest" -> c.tf.image.resizeNearestNeighbor(in, outSize);
            case "bilinear" -> c.tf.image.resizeBilinear(in, outSize,
                    ResizeBilinear.halfPixelCenters(c.dialect.bilinearHalfPixel()));
            default -> throw c.unsupported("interpolation '" + interpolation + "'");
        };
        return cf ? c.toChannelsFirst(y) : y;
    }
}
