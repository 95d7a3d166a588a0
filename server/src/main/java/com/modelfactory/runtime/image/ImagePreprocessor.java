package com.modelfactory.runtime.image;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.engine.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;

/**
 * Turns a decoded image into the model's input: colour conversion, bilinear resize (half-pixel
 * centres, as OpenCV's INTER_LINEAR), scale/mean/std, and the layout the model wants.
 */
public final class ImagePreprocessor {
    private final ImageInput spec;

    public ImagePreprocessor(ImageInput spec) {
        this.spec = spec;
    }

    public ImageInput spec() {
        return spec;
    }

    public Tensor toTensor(byte[] encoded) {
        return toTensor(ImageDecoder.decode(encoded));
    }

    /** A batch-of-one tensor for the image. */
    public Tensor toTensor(BufferedImage image) {
        int w = spec.width() > 0 ? spec.width() : image.getWidth();
        int h = spec.height() > 0 ? spec.height() : image.getHeight();
        int c = spec.channels();
        float[] pixels = resize(channels(image, spec.color()), image.getWidth(), image.getHeight(), c, w, h);
        long[] shape = switch (spec.rank()) {
            case 4 -> spec.layout() == ImageInput.Layout.NCHW ? new long[] {1, c, h, w} : new long[] {1, h, w, c};
            case 3 -> new long[] {1, h, w};
            default -> new long[] {1, (long) h * w * c};
        };
        Tensor t = Tensor.allocate(spec.dataType(), shape);
        write(pixels, w, h, c, t.mutableData());
        return t;
    }

    /** Interleaved (HWC) channel values 0-255 in the requested colour order. */
    static float[] channels(BufferedImage img, ImageInput.Color color) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = w * h;
        boolean gray = color == ImageInput.Color.GRAYSCALE;
        float[] out = new float[n * (gray ? 1 : 3)];
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
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;
            if (gray) {
                // ITU-R 601-2 luma, as PIL's convert("L")
                out[i] = (r * 299 + g * 587 + b * 114) / 1000;
            } else if (color == ImageInput.Color.BGR) {
                out[3 * i] = b;
                out[3 * i + 1] = g;
                out[3 * i + 2] = r;
            } else {
                out[3 * i] = r;
                out[3 * i + 1] = g;
                out[3 * i + 2] = b;
            }
        }
        return out;
    }

    static float[] resize(float[] src, int sw, int sh, int c, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src;
        }
        float[] dst = new float[dw * dh * c];
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

    private void write(float[] hwc, int w, int h, int c, ByteBuffer out) {
        boolean chw = spec.rank() == 4 && spec.layout() == ImageInput.Layout.NCHW;
        float scale = spec.scale();
        float[] mean = spec.mean();
        float[] std = spec.std();
        DataType type = spec.dataType();
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            for (int k = 0; k < c; k++) {
                float v = (hwc[i * c + k] * scale - mean[k]) / std[k];
                int index = chw ? k * plane + i : i * c + k;
                switch (type) {
                    case FP32 -> out.putFloat(index * 4, v);
                    case FP64 -> out.putDouble(index * 8, v);
                    case UINT8, INT8 -> out.put(index, (byte) Math.round(v));
                    case INT16, UINT16 -> out.putShort(index * 2, (short) Math.round(v));
                    case INT32, UINT32 -> out.putInt(index * 4, Math.round(v));
                    case INT64, UINT64 -> out.putLong(index * 8, Math.round(v));
                    case FP16 -> out.putShort(index * 2, Half.fromFloat(v));
                    default -> throw new IllegalStateException("image into " + type);
                }
            }
        }
    }
}
