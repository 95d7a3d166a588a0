package com.modelfactory.runtime.image;

/**
 * How many source columns and rows to step per decoded pixel (ImageIO source subsampling) so a large
 * image is decoded near the model's input size instead of in full. The decoded image stays at least
 * twice the target in each dimension, so the bilinear resize that follows still averages neighbours
 * rather than skipping them (the aliasing a plain every-n-th-pixel pick would add is bounded).
 *
 * @param x column period (1 = every column)
 * @param y row period (1 = every row)
 */
record Subsampling(int x, int y) {
    static final Subsampling NONE = new Subsampling(1, 1);

    /**
     * @param width        stored width of the image
     * @param height       stored height
     * @param targetWidth  the model's input width, upright, or 0 when the model takes the image's own
     * @param targetHeight likewise the height
     * @param swapsAxes    whether the image is turned a quarter after decoding (its rows become columns)
     */
    static Subsampling forTarget(int width, int height, int targetWidth, int targetHeight, boolean swapsAxes) {
        int alongWidth = swapsAxes ? targetHeight : targetWidth;
        int alongHeight = swapsAxes ? targetWidth : targetHeight;
        Subsampling s = new Subsampling(period(width, alongWidth), period(height, alongHeight));
        return s.equals(NONE) ? NONE : s;
    }

    private static int period(int size, int target) {
        return target <= 0 ? 1 : Math.max(1, size / (2 * target));
    }

    boolean any() {
        return x > 1 || y > 1;
    }
}
