package com.modelfactory.runtime.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * An image's pixels as 8-bit interleaved sRGB bytes, where its raster holds them so (what the fast PNG
 * and JPEG paths and ImageIO's JPEG and PNG readers give): the byte array and where each channel sits.
 * Reading these directly skips getRGB(), which converts every pixel through the colour model.
 *
 * @param data     the raster's bytes
 * @param red      offset of a pixel's red byte from the pixel's start (green, blue likewise)
 * @param stride   bytes from one pixel to the next in a row
 * @param scanline bytes from one row to the next
 */
record InterleavedBytes(byte[] data, int red, int green, int blue, int stride, int scanline) {

    /** @return the layout, or null when the raster is of another kind (the caller falls back to getRGB) */
    static InterleavedBytes of(BufferedImage img) {
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || !(cm instanceof ComponentColorModel) || !cm.getColorSpace().isCS_sRGB()
                || cm.isAlphaPremultiplied() || sm.getNumBands() < 3 || buffer.getNumBanks() != 1
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return null;
        }
        for (int size : sm.getSampleSize()) {
            if (size != 8) {
                return null;
            }
        }
        int[] offsets = sm.getBandOffsets();
        int base = buffer.getOffset();
        return new InterleavedBytes(buffer.getData(), base + offsets[0], base + offsets[1], base + offsets[2],
                sm.getPixelStride(), sm.getScanlineStride());
    }

    /** Offset of the channel that comes first in {@code color}'s order (blue for BGR, else red). */
    int first(ImageInput.Color color) {
        return color == ImageInput.Color.BGR ? blue : red;
    }

    /** Offset of the channel that comes third in {@code color}'s order. */
    int third(ImageInput.Color color) {
        return color == ImageInput.Color.BGR ? red : blue;
    }
}
