package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.answer.decoders.YoloV8Decoder;
import com.modelfactory.runtime.answer.decoders.YoloxDecoder;
import com.modelfactory.runtime.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decoders' arithmetic on hand-made outputs, where the real models' tests cannot look. */
class DecodersTest {
    @Test
    void yolov8ReadsAnchorsAsColumnsAndCountsNaNScores() {
        // [1, 4 + 2 classes, 3 anchors]: rows cx, cy, w, h, class 0, class 1
        Tensor out = Tensor.ofFloats(new long[] {1, 6, 3},
                10, 20, 30,
                10, 20, 30,
                4, 4, 4,
                2, 2, 2,
                0.9f, 0.1f, Float.NaN,
                0.2f, 0.6f, Float.NaN);
        Candidates c = new Candidates();
        c.reset(64, 64);
        new YoloV8Decoder().decode(Map.of("output0", out), 0, 0.25f, c);
        assertEquals(2, c.size());
        assertEquals(8f, c.x1[0]);
        assertEquals(12f, c.x2[0]);
        assertEquals(0, c.classId[0]);
        assertEquals(1, c.classId[1]);
        assertEquals(0.6f, c.score[1]);
        assertEquals(1, c.dropped(), "the NaN anchor is counted");
    }

    @Test
    void yoloxDecodesTheGridOfEachStride() {
        // a 32x32 input: 16 cells at stride 8, 4 at 16, 1 at 32 = 21 rows of [dx, dy, log w, log h, obj, cls]
        float[] v = new float[21 * 6];
        int row = 16 + 3; // stride 16, cell (1, 1)
        v[row * 6] = 0.5f;
        v[row * 6 + 1] = 0.25f;
        v[row * 6 + 2] = 0f; // e^0 x 16 = 16 wide
        v[row * 6 + 3] = (float) Math.log(0.5); // 8 high
        v[row * 6 + 4] = 0.9f;
        v[row * 6 + 5] = 0.8f;
        Candidates c = new Candidates();
        c.reset(32, 32);
        new YoloxDecoder().decode(Map.of("output", Tensor.ofFloats(new long[] {1, 21, 6}, v)), 0, 0.25f, c);
        assertEquals(1, c.size());
        // centre ((0.5 + 1) x 16, (0.25 + 1) x 16) = (24, 20), size 16 x 8
        assertEquals(16f, c.x1[0], 1e-5);
        assertEquals(32f, c.x2[0], 1e-5);
        assertEquals(16f, c.y1[0], 1e-4);
        assertEquals(24f, c.y2[0], 1e-4);
        assertEquals(0.72f, c.score[0], 1e-6);
    }
}
