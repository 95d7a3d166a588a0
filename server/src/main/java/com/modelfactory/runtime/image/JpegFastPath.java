package com.modelfactory.runtime.image;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.awt.image.BufferedImage;

/**
 * Baseline and progressive JPEGs in YCbCr, RGB or gray, decoded by libjpeg-turbo ({@link TurboJpeg}):
 * SIMD and, when the image is larger than the model input, scaled by 1/2, 1/4 or 1/8 inside the inverse
 * DCT (the scaled IDCT averages each block, a proper low-pass, so unlike ImageIO's every-n-th-pixel
 * subsampling it may go down to the target size itself). That is how Pillow's {@code draft()} and
 * OpenCV's {@code IMREAD_REDUCED_*} read photos.
 *
 * <p>Anything else returns null and the caller decodes with ImageIO as before: CMYK and YCCK files, a
 * header over the pixel limit (ImageIO's path refuses it with the 413 message), an image whose one side
 * stays over 4x the target at the scale the other allows (ImageIO subsamples it), and every file
 * libjpeg-turbo refuses or only warns about (truncated, corrupt; ImageIO then gives the 400 or, for
 * the warnings it tolerates, the image). So errors keep their messages and codes. The returned image is
 * what {@link PngFastPath} gives: TYPE_BYTE_GRAY or interleaved sRGB bytes in R, G, B order.
 *
 * <p>One difference from ImageIO: an embedded ICC profile is not applied (the JDK reader converts a
 * tagged photo, e.g. Display P3, to sRGB). Pillow, the legacy service's decoder, does not apply it
 * either, so the values now are the ones the factory's Python services fed their models.
 */
final class JpegFastPath {
    private static final int[] EIGHTHS = {1, 2, 4};

    private JpegFastPath() {
    }

    static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF;
    }

    /**
     * @param alongWidth  the width the stored image will be resized to, or 0 for its own (no scaling)
     * @param alongHeight likewise the height
     * @return the image, or null when the file is for ImageIO
     */
    static BufferedImage decode(byte[] jpeg, int alongWidth, int alongHeight, long maxPixels) {
        Scaled s = decodeScaled(jpeg, alongWidth, alongHeight, maxPixels);
        return s == null ? null : s.image();
    }

    /** A decoded image with the size the file states (before DCT scaling). */
    record Scaled(BufferedImage image, int sourceWidth, int sourceHeight) {
    }

    /** {@link #decode}, keeping the stated size: answers are reported in the original's pixels. */
    static Scaled decodeScaled(byte[] jpeg, int alongWidth, int alongHeight, long maxPixels) {
        // isJpeg first: TurboJpeg.available() loads the library, which a PNG or GIF must never cost.
        if (!isJpeg(jpeg) || !TurboJpeg.available()) {
            return null;
        }
        Pointer handle = TurboJpeg.tjInitDecompress();
        if (handle == null) {
            return null;
        }
        try {
            return decode(handle, jpeg, alongWidth, alongHeight, maxPixels);
        } finally {
            TurboJpeg.tjDestroy(handle);
        }
    }

    private static Scaled decode(Pointer handle, byte[] jpeg, int alongWidth, int alongHeight,
            long maxPixels) {
        NativeLong size = new NativeLong(jpeg.length);
        int[] width = new int[1];
        int[] height = new int[1];
        int[] colorspace = new int[1];
        if (TurboJpeg.tjDecompressHeader3(handle, jpeg, size, width, height, new int[1], colorspace) != 0) {
            return null;
        }
        int w = width[0];
        int h = height[0];
        int cs = colorspace[0];
        if (w <= 0 || h <= 0 || (long) w * h > maxPixels
                || (cs != TurboJpeg.CS_YCBCR && cs != TurboJpeg.CS_RGB && cs != TurboJpeg.CS_GRAY)) {
            return null;
        }
        int eighths = eighths(w, h, alongWidth, alongHeight);
        int sw = scaled(w, eighths);
        int sh = scaled(h, eighths);
        if (Subsampling.forTarget(sw, sh, alongWidth, alongHeight, false).any()) {
            return null; // one side far longer than the target even scaled (both scale alike): ImageIO subsamples
        }
        int channels = cs == TurboJpeg.CS_GRAY ? 1 : 3;
        long bytes = (long) sw * sh * channels;
        if (bytes > Integer.MAX_VALUE - 8) {
            return null;
        }
        byte[] pixels = new byte[(int) bytes];
        int rc = TurboJpeg.tjDecompress2(handle, jpeg, size, pixels, sw, sw * channels, sh,
                channels == 1 ? TurboJpeg.PF_GRAY : TurboJpeg.PF_RGB,
                TurboJpeg.FLAG_STOPONWARNING | TurboJpeg.FLAG_LIMITSCANS);
        return rc == 0 ? new Scaled(ByteImages.wrap(pixels, sw, sh, channels), w, h) : null;
    }

    /** The smallest scale, in eighths, at which the image still covers the target in both dimensions. */
    static int eighths(int width, int height, int alongWidth, int alongHeight) {
        if (alongWidth <= 0 || alongHeight <= 0) {
            return 8;
        }
        for (int e : EIGHTHS) {
            if (scaled(width, e) >= alongWidth && scaled(height, e) >= alongHeight) {
                return e;
            }
        }
        return 8;
    }

    /** TJSCALED: a dimension at num/8, rounded up as libjpeg-turbo does. */
    static int scaled(int dimension, int eighths) {
        return (int) (((long) dimension * eighths + 7) / 8);
    }
}
