package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig.ImageSettings;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an image becomes the model's input tensor, worked out once at start from the signature and the
 * image settings: layout, colour, size and normalisation. Rejected up front when the input cannot
 * take an image, so /predict with an image explains what is missing.
 *
 * @param rank     rank of the input including the batch dimension: 4 (NCHW/NHWC), 3 ([N,H,W] gray) or
 *                 2 (flat [N, H*W*C])
 * @param width    target width, or 0 to keep the image's own (dynamic spatial dims)
 * @param height   target height, or 0 to keep the image's own
 */
public record ImageInput(String inputName, DataType dataType, int rank, Layout layout, Color color,
                         int width, int height, float scale, float[] mean, float[] std) {

    public enum Layout { NCHW, NHWC }

    public enum Color { RGB, BGR, GRAYSCALE }

    public int channels() {
        return color == Color.GRAYSCALE ? 1 : 3;
    }

    /** Decides the image input or explains why this model cannot take an image. */
    public static ImageInput resolve(Signature signature, ImageSettings s) throws NotAnImageModelException {
        if (signature.inputs().size() != 1) {
            throw new NotAnImageModelException("the model has " + signature.inputs().size()
                    + " inputs; /predict with an image needs a model with exactly one input (send tensors to "
                    + "/v2/models/{name}/infer instead)");
        }
        TensorSpec in = signature.inputs().get(0);
        if (!in.shapeKnown()) {
            throw new NotAnImageModelException("the input shape of '" + in.name()
                    + "' is unknown; set `inputs: [{name, datatype, shape}]` in model-config.yaml (or MODEL_INPUTS)");
        }
        if (in.dataType() == DataType.BOOL || in.dataType() == DataType.BYTES) {
            throw new NotAnImageModelException("input '" + in.name() + "' is " + in.dataType() + ", not an image");
        }
        long[] shape = in.shape();
        // Without a batch dimension the leading dimension is part of the image; normalise to batched form.
        if (!signature.batched()) {
            long[] b = new long[shape.length + 1];
            b[0] = 1;
            System.arraycopy(shape, 0, b, 1, shape.length);
            shape = b;
        }
        Layout layout = null;
        Color color;
        int w = s.width();
        int h = s.height();
        switch (shape.length) {
            case 4 -> {
                layout = switch (s.layout()) {
                    case "nchw" -> Layout.NCHW;
                    case "nhwc" -> Layout.NHWC;
                    default -> guessLayout(shape, in);
                };
                long c = layout == Layout.NCHW ? shape[1] : shape[3];
                long hh = layout == Layout.NCHW ? shape[2] : shape[1];
                long ww = layout == Layout.NCHW ? shape[3] : shape[2];
                color = colorFor(c, s.color(), in);
                h = h > 0 ? h : (int) Math.max(hh, 0);
                w = w > 0 ? w : (int) Math.max(ww, 0);
            }
            case 3 -> {
                color = Color.GRAYSCALE;
                h = h > 0 ? h : (int) Math.max(shape[1], 0);
                w = w > 0 ? w : (int) Math.max(shape[2], 0);
            }
            case 2 -> {
                long k = shape[1];
                if (k <= 0) {
                    throw new NotAnImageModelException("input '" + in.name() + "' " + Arrays.toString(in.shape())
                            + " is flat with a dynamic size; set image width/height in model-config.yaml");
                }
                long side = squareSide(k);
                if (side > 0 && !"rgb".equals(s.color()) && !"bgr".equals(s.color())) {
                    color = Color.GRAYSCALE;
                } else if (k % 3 == 0 && squareSide(k / 3) > 0) {
                    side = squareSide(k / 3);
                    color = "bgr".equals(s.color()) ? Color.BGR : Color.RGB;
                } else if (s.width() > 0 && s.height() > 0) {
                    color = (long) s.width() * s.height() == k ? Color.GRAYSCALE : Color.RGB;
                    side = -1;
                } else {
                    throw new NotAnImageModelException("input '" + in.name() + "' " + Arrays.toString(in.shape())
                            + " is flat and " + k + " is not a square (or 3 x a square); set image width/height");
                }
                if (side > 0) {
                    h = h > 0 ? h : (int) side;
                    w = w > 0 ? w : (int) side;
                }
                if ((long) w * h * (color == Color.GRAYSCALE ? 1 : 3) != k) {
                    throw new NotAnImageModelException("image size " + w + "x" + h + " does not fill input '"
                            + in.name() + "' of " + k + " values");
                }
            }
            default -> throw new NotAnImageModelException("input '" + in.name() + "' has shape "
                    + Arrays.toString(in.shape()) + "; an image input is [N,C,H,W], [N,H,W,C], [N,H,W] or [N,H*W*C]");
        }
        boolean floatInput = in.dataType().isFloatingPoint();
        float scale = s.scale() != null ? s.scale() : floatInput ? 1f / 255f : 1f;
        int channels = color == Color.GRAYSCALE ? 1 : 3;
        float[] mean = perChannel(s.mean(), channels, 0f, "mean");
        float[] std = perChannel(s.std(), channels, 1f, "std");
        return new ImageInput(in.name(), in.dataType(), shape.length, layout, color, w, h, scale, mean, std);
    }

    private static Layout guessLayout(long[] shape, TensorSpec in) throws NotAnImageModelException {
        int first = channelScore(shape[1]);
        int last = channelScore(shape[3]);
        if (first == 0 && last == 0) {
            throw new NotAnImageModelException("cannot tell the layout of input '" + in.name() + "' "
                    + Arrays.toString(in.shape()) + " (no 1, 3 or 4 sized channel dimension); set image layout");
        }
        if (first != last) {
            return first > last ? Layout.NCHW : Layout.NHWC;
        }
        // Both ends could be channels ([N,3,3,3], [N,1,28,1]): the square spatial pair decides.
        return shape[2] == shape[3] ? Layout.NCHW : Layout.NHWC;
    }

    /** How likely a dimension is the channel one: 3 (RGB) beats 1 or 4, anything else is not. */
    private static int channelScore(long d) {
        return d == 3 ? 2 : d == 1 || d == 4 ? 1 : 0;
    }

    private static Color colorFor(long channels, String configured, TensorSpec in) throws NotAnImageModelException {
        if (channels == 1) {
            return Color.GRAYSCALE;
        }
        if (channels == 3 || channels == 4 || channels < 0) {
            return "bgr".equals(configured) ? Color.BGR : Color.RGB;
        }
        throw new NotAnImageModelException("input '" + in.name() + "' has " + channels + " channels; images have 1 or 3");
    }

    private static long squareSide(long k) {
        long r = Math.round(Math.sqrt((double) k));
        return r * r == k ? r : -1;
    }

    private static float[] perChannel(float[] given, int channels, float fill, String what) {
        float[] out = new float[channels];
        Arrays.fill(out, fill);
        if (given == null) {
            return out;
        }
        if (given.length == 1) {
            Arrays.fill(out, given[0]);
            return out;
        }
        if (given.length != channels) {
            throw new com.modelfactory.runtime.config.ConfigException("image " + what + " has " + given.length
                    + " values but the model takes " + channels + " channels");
        }
        return given.clone();
    }

    private static java.util.List<Float> toList(float[] a) {
        java.util.List<Float> l = new java.util.ArrayList<>();
        for (float f : a) {
            l.add(f);
        }
        return l;
    }

    /** What GET /model reports as the preprocessing in effect. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", inputName);
        m.put("layout", rank == 4 ? layout.name() : rank == 3 ? "NHW" : "flat");
        m.put("color", color.name().toLowerCase());
        m.put("width", width == 0 ? "image's own" : width);
        m.put("height", height == 0 ? "image's own" : height);
        m.put("resize", "bilinear");
        m.put("scale", scale);
        m.put("mean", toList(mean));
        m.put("std", toList(std));
        m.put("datatype", dataType.name());
        return m;
    }
}
