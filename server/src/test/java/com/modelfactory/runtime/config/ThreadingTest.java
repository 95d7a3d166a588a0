package com.modelfactory.runtime.config;

import static com.modelfactory.runtime.engine.ModelFormat.ONNX;
import static com.modelfactory.runtime.engine.ModelFormat.TORCHSCRIPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ThreadingTest {
    private final Threading twoCores = Threading.resolve(2, false, 0, 0);

    @Test
    void aLightModelRunsSeveralWorkersWithOneThreadEach() {
        assertEquals(new Threading.Layout(2, 1), twoCores.choose(0.00005, ONNX), "tiny CNN: 0.05 ms an item");
        assertEquals(twoCores.light(), twoCores.choose(Threading.HEAVY_ITEM_SECONDS / 2, ONNX));
    }

    @Test
    void aHeavyModelRunsOneWorkerWithEveryCore() {
        assertEquals(new Threading.Layout(1, 2), twoCores.choose(0.015, ONNX), "MobileNetV2: 15 ms an item");
        assertEquals(twoCores.heavy(), twoCores.choose(Threading.HEAVY_ITEM_SECONDS, ONNX));
    }

    @Test
    void aHeavyTorchScriptModelKeepsTheLightLayout() {
        assertEquals(twoCores.light(), twoCores.choose(0.015, TORCHSCRIPT), "libtorch collapsed on 1 x 2 under load");
    }

    @Test
    void anUnmeasuredModelKeepsTheLightLayout() {
        assertEquals(twoCores.light(), twoCores.choose(-1, ONNX), "warm-up skipped: input shapes unknown");
    }

    @Test
    void setValuesAGpuOrOneCoreFixTheLayout() {
        Threading set = Threading.resolve(8, false, 3, 0);
        assertFalse(set.automatic());
        assertEquals(new Threading.Layout(3, 2), set.choose(1.0, ONNX), "configured workers share the cores");
        assertEquals(new Threading.Layout(2, 5), Threading.resolve(8, false, 0, 5).choose(1.0, ONNX));
        assertEquals(new Threading.Layout(1, 8), Threading.resolve(8, true, 0, 0).choose(0.00001, ONNX), "one worker per GPU");
        assertEquals(new Threading.Layout(1, 1), Threading.resolve(1, false, 0, 0).choose(1.0, ONNX));
    }

    @Test
    void aLayoutNeedsAWorkerAndAThread() {
        assertThrows(IllegalArgumentException.class, () -> new Threading.Layout(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Threading.Layout(1, 0));
    }
}
