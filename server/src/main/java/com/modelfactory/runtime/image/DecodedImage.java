package com.modelfactory.runtime.image;

import java.awt.image.BufferedImage;

/**
 * A decoded first frame as stored (possibly subsampled) and the orientation that turns it upright.
 * The orientation is applied to the channel values by {@link ImagePreprocessor}, not here: there it is
 * an index mapping, the same for every colour model.
 */
public record DecodedImage(BufferedImage pixels, Orientation orientation) {

    /** Width of the upright image. */
    public int uprightWidth() {
        return orientation.swapsAxes() ? pixels.getHeight() : pixels.getWidth();
    }

    /** Height of the upright image. */
    public int uprightHeight() {
        return orientation.swapsAxes() ? pixels.getWidth() : pixels.getHeight();
    }
}
