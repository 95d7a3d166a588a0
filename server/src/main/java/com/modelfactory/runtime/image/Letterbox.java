package com.modelfactory.runtime.image;

import java.util.Arrays;

/**
 * The letterbox geometry of the model families that keep the aspect ratio: the image scaled by
 * r = min(W / w, H / h) and padded to W x H. Centred as Ultralytics' LetterBox does it (content
 * round(w r) x round(h r), padding left = round(dw - 0.1), top = round(dh - 0.1)), or at the top left
 * as YOLOX's preproc does it (content int(w r) x int(h r)). Boxes map back through the same r.
 */
final class Letterbox {
    private Letterbox() {
    }

    static ImageFrame frame(int width, int height, int inputWidth, int inputHeight, ImageInput.Align align) {
        int[] content = content(width, height, inputWidth, inputHeight, align);
        float r = (float) ratio(width, height, inputWidth, inputHeight);
        float padLeft = 0;
        float padTop = 0;
        if (align == ImageInput.Align.CENTER) {
            padLeft = Math.round((inputWidth - content[0]) / 2f - 0.1f);
            padTop = Math.round((inputHeight - content[1]) / 2f - 0.1f);
        }
        return new ImageFrame(width, height, inputWidth, inputHeight, r, r, padLeft, padTop);
    }

    /** The scaled image's width and height inside the canvas. */
    static int[] contentSize(ImageFrame f, ImageInput.Align align) {
        return content(f.width(), f.height(), f.inputWidth(), f.inputHeight(), align);
    }

    /** In double, as Python computes it: a float product can land a hair off a whole number. */
    private static double ratio(int width, int height, int inputWidth, int inputHeight) {
        return Math.min((double) inputWidth / width, (double) inputHeight / height);
    }

    private static int[] content(int width, int height, int inputWidth, int inputHeight, ImageInput.Align align) {
        double r = ratio(width, height, inputWidth, inputHeight);
        double w = (double) width * r;
        double h = (double) height * r;
        // Python's round: halves to even (481 x 0.5 = 240.5 -> 240)
        int cw = align == ImageInput.Align.CENTER ? (int) Math.rint(w) : (int) w;
        int ch = align == ImageInput.Align.CENTER ? (int) Math.rint(h) : (int) h;
        return new int[] {Math.max(1, cw), Math.max(1, ch)};
    }

    /** Rounds the first {@code n} values to whole numbers (in place, unless they are the source image's own). */
    static float[] rounded(float[] values, int n) {
        for (int i = 0; i < n; i++) {
            values[i] = Math.round(values[i]);
        }
        return values;
    }

    /**
     * Fills {@code canvas} (HWC) with the pad value and copies the content in at the frame's offset,
     * rounded to whole channel values: the families' pipelines resize 8-bit images (cv2.resize of a uint8
     * array rounds), and a detection near the threshold moves with it (YOLOv8n, bus.jpg, a small person:
     * 0.258 with OpenCV, 0.292 from unrounded float pixels, 0.265 rounded).
     */
    static void paste(float[] content, int cw, int ch, int c, float[] canvas, ImageFrame f, float pad) {
        int w = f.inputWidth();
        int h = f.inputHeight();
        Arrays.fill(canvas, 0, w * h * c, pad);
        int left = (int) f.padLeft();
        int top = (int) f.padTop();
        int rows = Math.min(ch, h - top);
        int cols = Math.min(cw, w - left);
        for (int y = 0; y < rows; y++) {
            int from = y * cw * c;
            int to = ((top + y) * w + left) * c;
            for (int i = 0; i < cols * c; i++) {
                canvas[to + i] = Math.round(content[from + i]);
            }
        }
    }
}
