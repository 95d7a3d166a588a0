package com.modelfactory.runtime.image;

/**
 * The eight EXIF orientations (TIFF tag 274): how the stored pixels must be flipped or turned to be
 * seen upright. Applied to the interleaved channel values, where it is an index mapping whatever the
 * image's colour model was.
 */
public enum Orientation {
    /** 1: stored upright. */
    NORMAL,
    /** 2: mirrored left to right. */
    FLIP_HORIZONTAL,
    /** 3: turned 180 degrees. */
    ROTATE_180,
    /** 4: mirrored top to bottom. */
    FLIP_VERTICAL,
    /** 5: mirrored along the top-left to bottom-right diagonal. */
    TRANSPOSE,
    /** 6: must be turned 90 degrees clockwise. */
    ROTATE_90,
    /** 7: mirrored along the top-right to bottom-left diagonal. */
    TRANSVERSE,
    /** 8: must be turned 90 degrees counter-clockwise. */
    ROTATE_270;

    /** The orientation for an EXIF value; values outside 1-8 (absent, corrupt) mean upright. */
    public static Orientation fromExif(int value) {
        return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
    }

    /** Whether width and height swap: the stored image's rows are the upright image's columns. */
    public boolean swapsAxes() {
        return ordinal() >= TRANSPOSE.ordinal();
    }

    /**
     * The upright image of {@code src}, {@code w} x {@code h} pixels of {@code c} interleaved values
     * each, written into {@code dst} (which may be longer). NORMAL returns {@code src} itself.
     */
    float[] apply(float[] src, int w, int h, int c, float[] dst) {
        if (this == NORMAL) {
            return src;
        }
        for (int y = 0, from = 0; y < h; y++) {
            for (int x = 0; x < w; x++, from += c) {
                System.arraycopy(src, from, dst, target(x, y, w, h) * c, c);
            }
        }
        return dst;
    }

    /** Index in the upright image (whose width is h when the axes swap) of stored pixel (x, y). */
    private int target(int x, int y, int w, int h) {
        return switch (this) {
            case NORMAL -> y * w + x;
            case FLIP_HORIZONTAL -> y * w + (w - 1 - x);
            case ROTATE_180 -> (h - 1 - y) * w + (w - 1 - x);
            case FLIP_VERTICAL -> (h - 1 - y) * w + x;
            case TRANSPOSE -> x * h + y;
            case ROTATE_90 -> x * h + (h - 1 - y);
            case TRANSVERSE -> (w - 1 - x) * h + (h - 1 - y);
            case ROTATE_270 -> (w - 1 - x) * h + y;
        };
    }
}
