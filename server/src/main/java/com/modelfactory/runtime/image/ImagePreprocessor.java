package com.modelfactory.runtime.image;

import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.util.function.BiFunction;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;

/**
 * Turns a decoded image into the model's input: colour conversion, bilinear resize (half-pixel
 * centres, as OpenCV's INTER_LINEAR), scale/mean/std, and the layout the model wants.
 */
public final class ImagePreprocessor {
    private final ImageInput spec;
    private final ImageDecoder decoder;
    private final BiFunction<DataType, long[], Tensor> allocator;

    public ImagePreprocessor(ImageInput spec) {
        this(spec, Tensor::allocateHeap);
    }

    private ImagePreprocessor(ImageInput spec, BiFunction<DataType, long[], Tensor> allocator) {
        this.spec = spec;
        this.decoder = new ImageDecoder(spec.maxPixels(), spec.exifOrientation());
        this.allocator = allocator;
    }

    /** The same shaping, with tensors from {@code allocator} (the serving core pools them). */
    public ImagePreprocessor withAllocator(BiFunction<DataType, long[], Tensor> allocator) {
        return new ImagePreprocessor(spec, allocator);
    }

    public ImageInput spec() {
        return spec;
    }

    /**
     * A batch-of-one tensor for an encoded image.
     *
     * @throws com.modelfactory.runtime.error.ServingException BAD_INPUT when the bytes are not a whole
     *         image, TOO_LARGE when its header states more than the pixel limit
     */
    public Tensor toTensor(byte[] encoded) {
        return toFramedTensor(encoded).tensor();
    }

    /** A batch-of-one tensor and where the image went in it. */
    public record Framed(Tensor tensor, ImageFrame frame) {
    }

    /** {@link #toTensor(byte[])}, keeping the transform that maps the input back to the original. */
    public Framed toFramedTensor(byte[] encoded) {
        int k = spec.fit().wholePixels() ? FULL_DECODE_FACTOR : 1;
        return toFramedTensor(decoder.decode(encoded, spec.width() * k, spec.height() * k));
    }

    /**
     * A detector's or segmenter's input is decoded at up to 4x its size before the resize, not reduced in
     * the decoder to about 2x: their own pipelines resize the full image with OpenCV's INTER_LINEAR, and
     * every other row of a 405x540 PNG for a 128x128 input moved a segmenter's logits by up to 0.1 (12% of
     * its background pixels changed class). Photos over 4x the input are still reduced (memory).
     */
    private static final int FULL_DECODE_FACTOR = 4;

    /** A batch-of-one tensor for an upright image. */
    public Tensor toTensor(BufferedImage image) {
        return toTensor(new DecodedImage(image, Orientation.NORMAL));
    }

    /** A batch-of-one tensor for a decoded image, turned upright first. */
    public Tensor toTensor(DecodedImage decoded) {
        return toFramedTensor(decoded).tensor();
    }

    /** {@link #toTensor(DecodedImage)} and its frame. */
    public Framed toFramedTensor(DecodedImage decoded) {
        int c = spec.channels();
        int w = spec.width() > 0 ? spec.width() : decoded.uprightWidth();
        int h = spec.height() > 0 ? spec.height() : decoded.uprightHeight();
        ImageFrame frame;
        float[] values;
        if (spec.fit().letterbox()) {
            frame = Letterbox.frame(decoded.originalWidth(), decoded.originalHeight(), w, h, spec.fit().align());
            values = normalized(letterboxed(decoded, frame, c), w * h, c);
        } else {
            frame = ImageFrame.stretched(decoded.originalWidth(), decoded.originalHeight(), w, h);
            values = spec.fit().wholePixels() ? null : inOnePass(decoded, w, h);
            if (values == null) {
                float[] hwc = spec.fit().wholePixels() ? resizedValues(decoded, w, h) : resized(decoded, w, h);
                if (spec.fit().wholePixels()) {
                    hwc = Letterbox.rounded(hwc, w * h * c);
                }
                values = normalized(hwc, w * h, c);
            }
        }
        long[] shape = switch (spec.rank()) {
            case 4 -> spec.layout() == ImageInput.Layout.NCHW ? new long[] {1, c, h, w} : new long[] {1, h, w, c};
            case 3 -> new long[] {1, h, w};
            default -> new long[] {1, (long) h * w * c};
        };
        Tensor t = allocator.apply(spec.dataType(), shape);
        store(values, w * h * c, t.mutableData());
        return new Framed(t, frame);
    }

    /** Channel values (HWC, 0-255) of the image resized into its place on a padded canvas. */
    private float[] letterboxed(DecodedImage decoded, ImageFrame frame, int c) {
        int[] content = Letterbox.contentSize(frame, spec.fit().align());
        float[] inner = resizedValues(decoded, content[0], content[1]);
        float[] canvas = Scratch.floats(4, frame.inputWidth() * frame.inputHeight() * c);
        Letterbox.paste(inner, content[0], content[1], c, canvas, frame, spec.fit().padValue());
        return canvas;
    }

    /**
     * {@link BilinearFromBytes} for an upright colour image of interleaved bytes that needs resizing;
     * else null. At the input's own size the three passes are as fast or faster (JMH: 224x224 PNG
     * 1,141 vs 1,144 us, 32x32 JPEG 15 vs 24 us): the resize is skipped and the normalising loop vectorises.
     */
    private float[] inOnePass(DecodedImage decoded, int w, int h) {
        InterleavedBytes px;
        if (decoded.orientation() != Orientation.NORMAL || spec.channels() != 3
                || (decoded.pixels().getWidth() == w && decoded.pixels().getHeight() == h)
                || (px = InterleavedBytes.of(decoded.pixels())) == null) {
            return null;
        }
        float[] values = Scratch.floats(2, w * h * 3);
        BilinearFromBytes.normalized(px, spec.color(), decoded.pixels().getWidth(), decoded.pixels().getHeight(),
                w, h, spec.scale(), spec.mean(), spec.std(), chw(), values);
        return values;
    }

    private static final float[] ZEROS = {0f, 0f, 0f};
    private static final float[] ONES = {1f, 1f, 1f};

    /**
     * {@link #resized}, in one separable pass from the bytes where {@link BilinearFromBytes} applies (an
     * upright colour image of interleaved bytes): the same values without a float copy of every source
     * pixel (a 810x1080 photo to a 320 letterbox: 2.6 M floats written and read less).
     */
    private float[] resizedValues(DecodedImage decoded, int w, int h) {
        InterleavedBytes px;
        if (decoded.orientation() != Orientation.NORMAL || spec.channels() != 3
                || (decoded.pixels().getWidth() == w && decoded.pixels().getHeight() == h)
                || (px = InterleavedBytes.of(decoded.pixels())) == null) {
            return resized(decoded, w, h);
        }
        float[] values = Scratch.floats(1, w * h * 3);
        BilinearFromBytes.normalized(px, spec.color(), decoded.pixels().getWidth(), decoded.pixels().getHeight(),
                w, h, 1f, ZEROS, ONES, false, values);
        return values;
    }

    /** Channel values (HWC, 0-255) of the upright image resized to w x h. */
    private float[] resized(DecodedImage decoded, int w, int h) {
        BufferedImage image = decoded.pixels();
        int c = spec.channels();
        int n = image.getWidth() * image.getHeight() * c;
        float[] stored = channels(image, spec.color(), Scratch.floats(0, n));
        Orientation orientation = decoded.orientation();
        float[] hwc = orientation == Orientation.NORMAL ? stored
                : orientation.apply(stored, image.getWidth(), image.getHeight(), c, Scratch.floats(3, n));
        return resize(hwc, decoded.uprightWidth(), decoded.uprightHeight(), c, w, h, Scratch.floats(1, w * h * c));
    }

    private boolean chw() {
        return spec.rank() == 4 && spec.layout() == ImageInput.Layout.NCHW;
    }

    /** Interleaved (HWC) channel values 0-255 in the requested colour order. */
    static float[] channels(BufferedImage img, ImageInput.Color color) {
        int n = img.getWidth() * img.getHeight();
        return channels(img, color, new float[n * (color == ImageInput.Color.GRAYSCALE ? 1 : 3)]);
    }

    /** {@link #channels(BufferedImage, ImageInput.Color)} into {@code out}, which may be longer. */
    private static float[] channels(BufferedImage img, ImageInput.Color color, float[] out) {
        int n = img.getWidth() * img.getHeight();
        boolean gray = color == ImageInput.Color.GRAYSCALE;
        // Gray images are read from the raster: getRGB() would push them through a colour-space conversion.
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < n; i++) {
                float v = data[i] & 0xff;
                if (gray) {
                    out[i] = v;
                } else {
                    out[3 * i] = v;
                    out[3 * i + 1] = v;
                    out[3 * i + 2] = v;
                }
            }
            return out;
        }
        if (!readInterleavedBytes(img, color, out)) {
            readArgb(img, color, out);
        }
        return out;
    }

    /** 8-bit interleaved sRGB rasters ({@link InterleavedBytes}) are read from their bytes. */
    private static boolean readInterleavedBytes(BufferedImage img, ImageInput.Color color, float[] out) {
        InterleavedBytes px = InterleavedBytes.of(img);
        if (px == null) {
            return false;
        }
        byte[] data = px.data();
        int stride = px.stride();
        int scanline = px.scanline();
        int w = img.getWidth();
        int h = img.getHeight();
        int o = 0;
        if (color == ImageInput.Color.GRAYSCALE) {
            int r = px.red();
            int g = px.green();
            int b = px.blue();
            for (int y = 0; y < h; y++) {
                for (int x = 0, p = y * scanline; x < w; x++, p += stride) {
                    out[o++] = ((data[p + r] & 0xff) * 299 + (data[p + g] & 0xff) * 587
                            + (data[p + b] & 0xff) * 114) / 1000;
                }
            }
            return true;
        }
        // The colour order is settled once, outside the loop: c0, c1, c2 are the source offsets of the
        // output's first, second and third channel.
        int c0 = px.first(color);
        int c1 = px.green();
        int c2 = px.third(color);
        for (int y = 0; y < h; y++) {
            for (int x = 0, p = y * scanline; x < w; x++, p += stride, o += 3) {
                out[o] = data[p + c0] & 0xff;
                out[o + 1] = data[p + c1] & 0xff;
                out[o + 2] = data[p + c2] & 0xff;
            }
        }
        return true;
    }

    private static void readArgb(BufferedImage img, ImageInput.Color color, float[] out) {
        int w = img.getWidth();
        int[] argb = img.getRGB(0, 0, w, img.getHeight(), null, 0, w);
        int o = 0;
        for (int p : argb) {
            o = put(out, o, color, (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
        }
    }

    /** Stores one pixel at {@code o} in the requested colour order; returns the next position. */
    private static int put(float[] out, int o, ImageInput.Color color, int r, int g, int b) {
        switch (color) {
            case GRAYSCALE -> {
                // ITU-R 601-2 luma, as PIL's convert("L")
                out[o] = (r * 299 + g * 587 + b * 114) / 1000;
                return o + 1;
            }
            case BGR -> {
                out[o] = b;
                out[o + 1] = g;
                out[o + 2] = r;
            }
            default -> {
                out[o] = r;
                out[o + 1] = g;
                out[o + 2] = b;
            }
        }
        return o + 3;
    }

    static float[] resize(float[] src, int sw, int sh, int c, int dw, int dh) {
        return resize(src, sw, sh, c, dw, dh, new float[dw * dh * c]);
    }

    private static float[] resize(float[] src, int sw, int sh, int c, int dw, int dh, float[] dst) {
        if (sw == dw && sh == dh) {
            return src;
        }
        float sx = (float) sw / dw;
        float sy = (float) sh / dh;
        for (int y = 0; y < dh; y++) {
            float fy = Math.max((y + 0.5f) * sy - 0.5f, 0f);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float wy = fy - y0;
            for (int x = 0; x < dw; x++) {
                float fx = Math.max((x + 0.5f) * sx - 0.5f, 0f);
                int x0 = Math.min((int) fx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                float wx = fx - x0;
                for (int k = 0; k < c; k++) {
                    float a = src[(y0 * sw + x0) * c + k];
                    float b = src[(y0 * sw + x1) * c + k];
                    float d = src[(y1 * sw + x0) * c + k];
                    float e = src[(y1 * sw + x1) * c + k];
                    float top = a + (b - a) * wx;
                    float bottom = d + (e - d) * wx;
                    dst[(y * dw + x) * c + k] = top + (bottom - top) * wy;
                }
            }
        }
        return dst;
    }

    /** Scale, mean and std applied, in the model's layout (planes for NCHW, interleaved otherwise). */
    private float[] normalized(float[] hwc, int plane, int c) {
        boolean chw = chw();
        float scale = spec.scale();
        float[] mean = spec.mean();
        float[] std = spec.std();
        float[] values = Scratch.floats(2, plane * c);
        // One pass per channel with no branch inside: the loop the JIT compiles tightly (a per-element
        // layout test and type switch made this the costliest step after PNG inflation).
        for (int k = 0; k < c; k++) {
            float m = mean[k];
            float d = std[k];
            if (chw) {
                int base = k * plane;
                for (int i = 0; i < plane; i++) {
                    values[base + i] = (hwc[i * c + k] * scale - m) / d;
                }
            } else {
                for (int i = k; i < plane * c; i += c) {
                    values[i] = (hwc[i] * scale - m) / d;
                }
            }
        }
        return values;
    }

    /**
     * The values as the input's element type: one loop per type (a switch per element kept the loop from
     * compiling to straight stores).
     */
    private void store(float[] values, int n, ByteBuffer out) {
        switch (spec.dataType()) {
            case FP32 -> out.duplicate().order(out.order()).asFloatBuffer().put(values, 0, n);
            case FP64 -> {
                for (int i = 0; i < n; i++) {
                    out.putDouble(i * 8, values[i]);
                }
            }
            case UINT8, INT8 -> {
                for (int i = 0; i < n; i++) {
                    out.put(i, (byte) Math.round(values[i]));
                }
            }
            case INT16, UINT16 -> {
                for (int i = 0; i < n; i++) {
                    out.putShort(i * 2, (short) Math.round(values[i]));
                }
            }
            case INT32, UINT32 -> {
                for (int i = 0; i < n; i++) {
                    out.putInt(i * 4, Math.round(values[i]));
                }
            }
            case INT64, UINT64 -> {
                for (int i = 0; i < n; i++) {
                    out.putLong(i * 8, Math.round(values[i]));
                }
            }
            case FP16 -> {
                for (int i = 0; i < n; i++) {
                    out.putShort(i * 2, Half.fromFloat(values[i]));
                }
            }
            default -> throw new IllegalStateException("image into " + spec.dataType());
        }
    }

    /**
     * Per-thread working arrays for the image path: a 224x224 request otherwise allocates three 600 KB
     * float arrays, and collecting them cost MobileNetV2 serving ~11% of a core in GC. Arrays above
     * {@link #MAX_KEPT} floats are allocated per call so a huge image does not stay pinned to a thread.
     */
    private static final class Scratch {
        private static final int MAX_KEPT = 1 << 20;
        private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[5][0]);

        static float[] floats(int slot, int length) {
            if (length > MAX_KEPT) {
                return new float[length];
            }
            float[][] arrays = ARRAYS.get();
            if (arrays[slot].length < length) {
                arrays[slot] = new float[length];
            }
            return arrays[slot];
        }
    }
}
