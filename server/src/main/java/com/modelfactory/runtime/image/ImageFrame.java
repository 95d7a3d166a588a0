package com.modelfactory.runtime.image;

/**
 * Where an image went in the model's input, kept per image so answers (boxes, masks) are reported in
 * the ORIGINAL image's pixels (upright, after EXIF orientation): a point (x, y) of the network input is
 * ((x - padLeft) / scaleX, (y - padTop) / scaleY) of the original.
 *
 * @param width        the original image's upright width
 * @param height       its upright height
 * @param inputWidth   the network input's width (the letterbox canvas, or the resize target)
 * @param inputHeight  the network input's height
 * @param scaleX       network pixels per original pixel along x
 * @param scaleY       likewise along y (equal to scaleX for a letterbox)
 * @param padLeft      network pixels of padding left of the image (0 for a plain resize)
 * @param padTop       network pixels of padding above it
 */
public record ImageFrame(int width, int height, int inputWidth, int inputHeight, float scaleX, float scaleY,
                         float padLeft, float padTop) {

    /** An image resized to the whole input (or taken at its own size when the sizes are equal). */
    public static ImageFrame stretched(int width, int height, int inputWidth, int inputHeight) {
        return new ImageFrame(width, height, inputWidth, inputHeight, (float) inputWidth / width,
                (float) inputHeight / height, 0f, 0f);
    }

    /** The original x of network-input x, not clipped. */
    public float originalX(float x) {
        return (x - padLeft) / scaleX;
    }

    /** The original y of network-input y, not clipped. */
    public float originalY(float y) {
        return (y - padTop) / scaleY;
    }

    /** The network-input x of original x (the forward map; tests check it against {@link #originalX}). */
    public float inputX(float x) {
        return x * scaleX + padLeft;
    }

    /** The network-input y of original y. */
    public float inputY(float y) {
        return y * scaleY + padTop;
    }
}
