package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig;
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
 * @param rank      rank of the input including the batch dimension: 4 (NCHW/NHWC), 3 ([N,H,W] gray) or
 *                  2 (flat [N, H*W*C])
 * @param width     target width, or 0 to keep the image's own (dynamic spatial dims)
 * @param height    target height, or 0 to keep the image's own
 * @param maxPixels largest width x height an image's header may state (413 above)
 * @param exifOrientation whether images are turned upright by their EXIF orientation
 */
public record ImageInput(String inputName, DataType dataType, int rank, Layout layout, Color color,
                         int width, int height, float scale, float[] mean, float[] std,
                         long maxPixels, boolean exifOrientation, Fit fit) {

    public enum Layout { NCHW, NHWC }

    public enum Color { RGB, BGR, GRAYSCALE }

    /** How an image is fitted to a fixed input size. */
    public enum Resize { STRETCH, LETTERBOX }

    /** Where a letterboxed image sits: centred (Ultralytics, MMDetection) or at the top left (YOLOX). */
    public enum Align { CENTER, TOP_LEFT }

    /**
     * @param padValue    the channel value (0-255, before scale/mean/std) of the letterbox padding
     * @param wholePixels resized pixels rounded to whole channel values, as resizing an 8-bit image does
     *                    (OpenCV, Pillow): what detectors' and segmenters' own pipelines feed their models
     */
    public record Fit(Resize resize, Align align, float padValue, boolean wholePixels) {
        public static final Fit STRETCH = new Fit(Resize.STRETCH, Align.CENTER, 114f, false);

        public boolean letterbox() {
            return resize == Resize.LETTERBOX;
        }
    }

    /** Stretched to the input size (no letterbox). */
    public ImageInput(String inputName, DataType dataType, int rank, Layout layout, Color color,
                      int width, int height, float scale, float[] mean, float[] std,
                      long maxPixels, boolean exifOrientation) {
        this(inputName, dataType, rank, layout, color, width, height, scale, mean, std, maxPixels, exifOrientation,
                Fit.STRETCH);
    }

    /**
     * Auto pixel limit for a model input of fixed width and height. Images over 4x the input are decoded
     * subsampled, so what a request holds grows with the source pixels only through the decoder's own
     * buffers. Measured per source pixel (ThreadMXBean allocated bytes and VmHWM, 4000x3000 and 8000x6000
     * images to a 224x224 input): heap 0.1-0.6 B (baseline JPEG, GIF, BMP), 0.9 B (PNG), 1.2 B
     * (progressive JPEG), 1.7 B (TIFF, one strip buffered); outside the heap a progressive JPEG adds
     * its coefficient buffer, 3 B (4:2:0; 48 MP: +145 MB VmHWM), baseline ~0.
     * 8 concurrent requests x 24 M pixels x 1.7 B = 326 MB of a 3 GiB heap, and x 3 B = 576 MB native,
     * inside the ~1 GiB a 4 GiB pod leaves beside the heap with the engine's ~0.4 GB. (A 4:4:4
     * progressive JPEG doubles the native part; an input over ~500x500 lets images up to 16x its pixels
     * be decoded in full: lower the limit for those.) 24 MP: 6000x4000 cameras, 12 MP phones.
     */
    static final long AUTO_MAX_PIXELS_FIXED_SIZE = 24_000_000L;

    /**
     * Auto pixel limit for a model that takes images at their own size: decoded in full, then channel
     * values as floats, normalised copy and tensor. Measured per pixel: heap 39-45 B (BMP, TIFF, GIF,
     * baseline JPEG, PNG), 69 B (progressive JPEG), plus the 12 B direct FP32 tensor.
     * 8 concurrent requests x 4 M pixels x 69 B = 2.2 GB of a 3 GiB heap (allocated bytes: the live peak
     * is lower), and x 12 B = 384 MB direct. 4 MP: 2448x1632.
     */
    static final long AUTO_MAX_PIXELS_OWN_SIZE = 4_000_000L;

    /** With the default decoding settings: the auto pixel limit and EXIF orientation on. */
    public ImageInput(String inputName, DataType dataType, int rank, Layout layout, Color color,
                      int width, int height, float scale, float[] mean, float[] std) {
        this(inputName, dataType, rank, layout, color, width, height, scale, mean, std,
                autoMaxPixels(width, height), true);
    }

    /** The pixel limit max_image_pixels = 0 stands for; see the constants for the arithmetic. */
    static long autoMaxPixels(int width, int height) {
        return width > 0 && height > 0 ? AUTO_MAX_PIXELS_FIXED_SIZE : AUTO_MAX_PIXELS_OWN_SIZE;
    }

    public int channels() {
        return color == Color.GRAYSCALE ? 1 : 3;
    }

    /** Layout, colour and target size, as read from the input shape and the overrides. */
    private record Geometry(Layout layout, Color color, int width, int height) {
    }

    /** Decides the image input or explains why this model cannot take an image. */
    public static ImageInput resolve(Signature signature, ImageSettings s) throws NotAnImageModelException {
        TensorSpec in = imageTensor(signature);
        long[] shape = batched(in.shape(), signature.batched());
        Geometry g = switch (shape.length) {
            case 4 -> fourDimensional(shape, in, s);
            case 3 -> new Geometry(null, Color.GRAYSCALE, orOwn(s.width(), shape[2]), orOwn(s.height(), shape[1]));
            case 2 -> flat(shape[1], in, s);
            default -> throw new NotAnImageModelException("input '" + in.name() + "' has shape "
                    + Arrays.toString(in.shape()) + "; an image input is [N,C,H,W], [N,H,W,C], [N,H,W] or [N,H*W*C]");
        };
        float scale = s.scale() != null ? s.scale() : in.dataType().isFloatingPoint() ? 1f / 255f : 1f;
        int channels = g.color() == Color.GRAYSCALE ? 1 : 3;
        return new ImageInput(in.name(), in.dataType(), shape.length, g.layout(), g.color(), g.width(), g.height(),
                scale, perChannel(s.mean(), channels, 0f, "mean"), perChannel(s.std(), channels, 1f, "std"),
                s.maxImagePixels() > 0 ? s.maxImagePixels() : autoMaxPixels(g.width(), g.height()),
                s.exifOrientation(), fit(s, g));
    }

    /** A letterbox needs a fixed size to pad to; an image at its own size is taken as it is. */
    private static Fit fit(ImageSettings s, Geometry g) {
        if (s.resize() != RuntimeConfig.Resize.LETTERBOX) {
            return s.wholePixels() ? new Fit(Resize.STRETCH, Align.CENTER, 114f, true) : Fit.STRETCH;
        }
        if (g.width() <= 0 || g.height() <= 0) {
            throw new com.modelfactory.runtime.config.ConfigException("image resize letterbox needs a fixed input "
                    + "size: the input takes images at their own size; set image width and height");
        }
        Align align = s.letterboxAlign() == RuntimeConfig.LetterboxAlign.TOP_LEFT ? Align.TOP_LEFT : Align.CENTER;
        return new Fit(Resize.LETTERBOX, align, s.padValue(), true);
    }

    /** The one input, if it is numeric with a known shape. */
    private static TensorSpec imageTensor(Signature signature) throws NotAnImageModelException {
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
        return in;
    }

    /** Without a batch dimension the leading dimension is part of the image; normalise to batched form. */
    private static long[] batched(long[] shape, boolean hasBatch) {
        if (hasBatch) {
            return shape;
        }
        long[] b = new long[shape.length + 1];
        b[0] = 1;
        System.arraycopy(shape, 0, b, 1, shape.length);
        return b;
    }

    /** The configured size, else the shape's (0 = the image's own when the shape's is dynamic). */
    private static int orOwn(int configured, long fromShape) {
        if (configured > 0 && fromShape > 0 && configured != fromShape) {
            // a fixed input dimension cannot take another size: the model wins, and says so
            org.slf4j.LoggerFactory.getLogger(ImageInput.class).warn("config: image size {} is overridden by the "
                    + "model: its input is fixed at {} on that axis, so images are resized to {}", configured, fromShape,
                    fromShape);
            return (int) fromShape;
        }
        return configured > 0 ? configured : (int) Math.max(fromShape, 0);
    }

    private static Geometry fourDimensional(long[] shape, TensorSpec in, ImageSettings s)
            throws NotAnImageModelException {
        Layout layout = switch (s.layout()) {
            case NCHW -> Layout.NCHW;
            case NHWC -> Layout.NHWC;
            case AUTO -> guessLayout(shape, in);
        };
        boolean nchw = layout == Layout.NCHW;
        Color color = colorFor(nchw ? shape[1] : shape[3], s.color(), in);
        return new Geometry(layout, color, orOwn(s.width(), nchw ? shape[3] : shape[2]),
                orOwn(s.height(), nchw ? shape[2] : shape[1]));
    }

    /** [N, K]: a square gray image, a square RGB one, or the configured size. */
    private static Geometry flat(long k, TensorSpec in, ImageSettings s) throws NotAnImageModelException {
        if (k <= 0) {
            throw new NotAnImageModelException("input '" + in.name() + "' " + Arrays.toString(in.shape())
                    + " is flat with a dynamic size; set image width/height in model-config.yaml");
        }
        long side = squareSide(k);
        Color color;
        boolean colour = s.color() == RuntimeConfig.Color.RGB || s.color() == RuntimeConfig.Color.BGR;
        if (side > 0 && !colour) {
            color = Color.GRAYSCALE;
        } else if (k % 3 == 0 && squareSide(k / 3) > 0) {
            side = squareSide(k / 3);
            color = s.color() == RuntimeConfig.Color.BGR ? Color.BGR : Color.RGB;
        } else if (s.width() > 0 && s.height() > 0) {
            color = (long) s.width() * s.height() == k ? Color.GRAYSCALE : Color.RGB;
            side = -1;
        } else {
            throw new NotAnImageModelException("input '" + in.name() + "' " + Arrays.toString(in.shape())
                    + " is flat and " + k + " is not a square (or 3 x a square); set image width/height");
        }
        // the side is a guess from the flat length, not a fixed axis: a configured size that fills it stands
        int w = side > 0 && s.width() <= 0 ? (int) side : s.width();
        int h = side > 0 && s.height() <= 0 ? (int) side : s.height();
        if ((long) w * h * (color == Color.GRAYSCALE ? 1 : 3) != k) {
            throw new NotAnImageModelException("image size " + w + "x" + h + " does not fill input '"
                    + in.name() + "' of " + k + " values");
        }
        return new Geometry(null, color, w, h);
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

    private static Color colorFor(long channels, RuntimeConfig.Color configured, TensorSpec in)
            throws NotAnImageModelException {
        if (channels == 1) {
            return Color.GRAYSCALE;
        }
        if (channels == 3 || channels == 4 || channels < 0) {
            return configured == RuntimeConfig.Color.BGR ? Color.BGR : Color.RGB;
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
        m.put("resize", fit.letterbox() ? "letterbox (bilinear, " + fit.align().name().toLowerCase()
                + ", pad " + fit.padValue() + ")" : "bilinear");
        m.put("scale", scale);
        m.put("mean", toList(mean));
        m.put("std", toList(std));
        m.put("datatype", dataType.name());
        m.put("max_image_pixels", maxPixels);
        // what Subsampling does: a dimension over 4x its target is decoded at every n-th pixel, n >= 2
        m.put("subsampled_decode", width > 0 || height > 0);
        m.put("exif_orientation", exifOrientation);
        return m;
    }
}
