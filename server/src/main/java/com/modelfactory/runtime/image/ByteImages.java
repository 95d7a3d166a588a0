package com.modelfactory.runtime.image;

import java.awt.Point;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Decoded 8-bit pixels as the BufferedImage ImageIO would give for them, so the fast decoders and
 * ImageIO feed {@link ImagePreprocessor} the same kinds of image: TYPE_BYTE_GRAY for one channel,
 * interleaved sRGB bytes in R, G, B(, A) order for three or four.
 */
final class ByteImages {
    private ByteImages() {
    }

    /** Wraps {@code pixels} (rows of width x channels bytes, no padding); a gray image copies them. */
    static BufferedImage wrap(byte[] pixels, int width, int height, int channels) {
        if (channels == 1) {
            BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            byte[] dst = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
            System.arraycopy(pixels, 0, dst, 0, pixels.length);
            return gray;
        }
        int[] offsets = channels == 3 ? new int[] {0, 1, 2} : new int[] {0, 1, 2, 3};
        PixelInterleavedSampleModel sm = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, width, height,
                channels, width * channels, offsets);
        WritableRaster raster = Raster.createWritableRaster(sm, new DataBufferByte(pixels, pixels.length), new Point());
        boolean alpha = channels == 4;
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(cm, raster, false, null);
    }
}
