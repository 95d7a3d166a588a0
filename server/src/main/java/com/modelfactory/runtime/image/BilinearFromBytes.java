package com.modelfactory.runtime.image;

/**
 * The common image path in one pass: 8-bit interleaved pixels resized bilinearly (half-pixel centres,
 * as {@link ImagePreprocessor}'s float resize) and normalised straight into the model's layout. The
 * general path makes a float copy of every source pixel, resizes it into a second array and normalises
 * into a third. Here the resize is separable: each source row the output needs is interpolated along x
 * once, into one of two row buffers (channel by channel), and each output row is a blend of two such
 * rows, a loop the JIT compiles to vector code. Every output value comes from the same float operations
 * in the same order as in the general path, so both give the same bits (BilinearFromBytesTest).
 */
final class BilinearFromBytes {
    private BilinearFromBytes() {
    }

    /**
     * @param sw  the stored image's width (callers use this only for unrotated images); sh its height
     * @param dw  the model input's width; dh its height
     * @param chw planes (NCHW) rather than interleaved values
     * @param out at least dw x dh x 3 floats; the result is written here
     */
    static void normalized(InterleavedBytes px, ImageInput.Color color, int sw, int sh, int dw, int dh,
                           float scale, float[] mean, float[] std, boolean chw, float[] out) {
        Columns columns = sw == dw ? null : new Columns(sw, dw, px.stride());
        int[] channel = {px.first(color), px.green(), px.third(color)};
        float[] upper = new float[3 * dw];
        float[] lower = new float[3 * dw];
        int upperRow = -1;
        int lowerRow = -1;
        float sy = (float) sh / dh;
        for (int y = 0; y < dh; y++) {
            float fy = Math.max((y + 0.5f) * sy - 0.5f, 0f);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            if (y0 != upperRow) {
                if (y0 == lowerRow) {
                    float[] t = upper;
                    upper = lower;
                    lower = t;
                    lowerRow = upperRow;
                } else {
                    row(px, y0, channel, columns, dw, upper);
                }
                upperRow = y0;
            }
            if (y1 != lowerRow) {
                row(px, y1, channel, columns, dw, lower);
                lowerRow = y1;
            }
            blend(upper, lower, fy - y0, y, dw, dh, scale, mean, std, chw, out);
        }
    }

    /** Source column pairs and weights of each output column. */
    private static final class Columns {
        final int[] left;
        final int[] right;
        final float[] weight;

        Columns(int sw, int dw, int stride) {
            float sx = (float) sw / dw;
            left = new int[dw];
            right = new int[dw];
            weight = new float[dw];
            for (int x = 0; x < dw; x++) {
                float fx = Math.max((x + 0.5f) * sx - 0.5f, 0f);
                int x0 = Math.min((int) fx, sw - 1);
                left[x] = x0 * stride;
                right[x] = Math.min(x0 + 1, sw - 1) * stride;
                weight[x] = fx - x0;
            }
        }
    }

    /** Source row {@code y} interpolated along x, channel after channel ({@code dw} values each). */
    private static void row(InterleavedBytes px, int y, int[] channel, Columns columns, int dw, float[] into) {
        byte[] d = px.data();
        int base = y * px.scanline();
        for (int k = 0; k < 3; k++) {
            int c = base + channel[k];
            int o = k * dw;
            if (columns == null) { // same width: the general path's weights would all be 0, its values exact
                for (int x = 0, p = c; x < dw; x++, p += px.stride()) {
                    into[o + x] = d[p] & 0xff;
                }
                continue;
            }
            for (int x = 0; x < dw; x++) {
                float a = d[c + columns.left[x]] & 0xff;
                float b = d[c + columns.right[x]] & 0xff;
                into[o + x] = a + (b - a) * columns.weight[x];
            }
        }
    }

    /** Output row {@code y}: the two rows blended by {@code wy}, normalised, in the model's layout. */
    private static void blend(float[] upper, float[] lower, float wy, int y, int dw, int dh, float scale,
                              float[] mean, float[] std, boolean chw, float[] out) {
        for (int k = 0; k < 3; k++) {
            float m = mean[k];
            float s = std[k];
            int src = k * dw;
            if (chw) {
                int dst = k * dw * dh + y * dw;
                for (int x = 0; x < dw; x++) {
                    float u = upper[src + x];
                    out[dst + x] = ((u + (lower[src + x] - u) * wy) * scale - m) / s;
                }
            } else {
                int dst = y * dw * 3 + k;
                for (int x = 0; x < dw; x++) {
                    float u = upper[src + x];
                    out[dst + 3 * x] = ((u + (lower[src + x] - u) * wy) * scale - m) / s;
                }
            }
        }
    }
}
