package com.modelfactory.runtime.image;

import java.awt.image.BufferedImage;

/**
 * A decoded first frame as stored (possibly subsampled) and the orientation that turns it upright.
 * The orientation is applied to the channel values by {@link ImagePreprocessor}, not here: there it is
 * an index mapping, the same for every colour model.
 *
 * @param sourceWidth  the stored width of the encoded image before any subsampling or DCT scaling: what
 *                     answers are reported in (with {@code sourceHeight})
 */
public record DecodedImage(BufferedImage pixels, Orientation orientation, int sourceWidth, int sourceHeight) {

    /** Decoded at full size. */
    public DecodedImage(BufferedImage pixels, Orientation orientation) {
        this(pixels, orientation, pixels.getWidth(), pixels.getHeight());
    }

    /** Width of the upright image as decoded. */
    public int uprightWidth() {
        return orientation.swapsAxes() ? pixels.getHeight() : pixels.getWidth();
    }

    /** Height of the upright image as decoded. */
    public int uprightHeight() {
        return orientation.swapsAxes() ? pixels.getWidth() : pixels.getHeight();
    }

    /** Width of the upright original, before subsampling. */
    public int originalWidth() {
        return orientation.swapsAxes() ? sourceHeight : sourceWidth;
    }

    /** Height of the upright original, before subsampling. */
    public int originalHeight() {
        return orientation.swapsAxes() ? sourceWidth : sourceHeight;
    }
}
