package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LetterboxTest {
    @Test
    void busJpgAt320IsPaddedAsUltralyticsPadsIt() {
        // expected.json of yolov8n_int8_320: scale 0.2963, pad_left 40, pad_top 0 (810x1080 -> 240x320)
        ImageFrame f = Letterbox.frame(810, 1080, 320, 320, ImageInput.Align.CENTER);
        assertEquals(320f / 1080, f.scaleX(), 1e-6);
        assertEquals(40f, f.padLeft());
        assertEquals(0f, f.padTop());
        int[] content = Letterbox.contentSize(f, ImageInput.Align.CENTER);
        assertEquals(240, content[0]);
        assertEquals(320, content[1]);
    }

    @Test
    void yoloxPastesAtTheTopLeftWithTheTruncatedSize() {
        ImageFrame f = Letterbox.frame(333, 500, 416, 416, ImageInput.Align.TOP_LEFT);
        assertEquals(0f, f.padLeft());
        assertEquals(0f, f.padTop());
        assertEquals(277, Letterbox.contentSize(f, ImageInput.Align.TOP_LEFT)[0], "int(333 * 0.832)");
    }

    @Property(tries = 2000)
    void pointsMapForwardAndBackWithinHalfAPixel(@ForAll @IntRange(min = 1, max = 5000) int w,
                                                 @ForAll @IntRange(min = 1, max = 5000) int h,
                                                 @ForAll @IntRange(min = 32, max = 1280) int size,
                                                 @ForAll boolean centred,
                                                 @ForAll @IntRange(min = 0, max = 1000) int permilleX,
                                                 @ForAll @IntRange(min = 0, max = 1000) int permilleY) {
        ImageFrame f = Letterbox.frame(w, h, size, size, centred ? ImageInput.Align.CENTER : ImageInput.Align.TOP_LEFT);
        float x = w * permilleX / 1000f;
        float y = h * permilleY / 1000f;
        assertEquals(x, f.originalX(f.inputX(x)), 0.5f);
        assertEquals(y, f.originalY(f.inputY(y)), 0.5f);
        // the content lies inside the canvas
        int[] c = Letterbox.contentSize(f, centred ? ImageInput.Align.CENTER : ImageInput.Align.TOP_LEFT);
        org.junit.jupiter.api.Assertions.assertTrue(f.padLeft() + c[0] <= size + 1 && f.padTop() + c[1] <= size + 1);
    }

    @Test
    void pasteFillsThePaddingAndRoundsTheContent() {
        ImageFrame f = Letterbox.frame(2, 1, 4, 4, ImageInput.Align.CENTER); // content 4x2, pad top 1
        float[] content = {1.4f, 1.6f, 2.5f, 3f, 4f, 5f, 6f, 7f};
        float[] canvas = new float[16];
        Letterbox.paste(content, 4, 2, 1, canvas, f, 114f);
        assertEquals(114f, canvas[0]);
        assertEquals(1f, canvas[4]);
        assertEquals(2f, canvas[5]);
        assertEquals(3f, canvas[6], "half up, as OpenCV's fixed-point rounding");
        assertEquals(114f, canvas[15]);
    }
}
