package com.modelfactory.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputBuffersTest {
    private static final long[] SHAPE = {1, 3, 4, 4};

    @Test
    void aRequestsDecodedTensorsArePooledDirectMemoryReusedOnceHandedBack() {
        InputBuffers pool = new InputBuffers();
        pool.begin();
        Tensor first = pool.allocate(DataType.FP32, SHAPE);
        List<ByteBuffer> issued = pool.end();
        assertTrue(first.data().isDirect());
        assertEquals(1, issued.size());
        pool.giveBack(issued);
        pool.begin();
        pool.allocate(DataType.FP32, SHAPE);
        List<ByteBuffer> again = pool.end();
        assertSame(issued.get(0), again.get(0), "the buffer handed back is the next request's");
    }

    @Test
    void outsideARequestTensorsAreOrdinaryHeapTensors() {
        InputBuffers pool = new InputBuffers();
        Tensor t = pool.allocate(DataType.FP32, SHAPE);
        assertFalse(t.data().isDirect(), "warm-up and tools decode outside a request: nothing to hand back");
        assertEquals(List.of(), pool.end());
    }

    @Test
    void aBufferOfAnotherSizeIsNotReusedForThisOne() {
        InputBuffers pool = new InputBuffers();
        pool.begin();
        pool.allocate(DataType.FP32, new long[] {1, 3, 8, 8});
        pool.giveBack(pool.end());
        pool.begin();
        Tensor t = pool.allocate(DataType.FP32, SHAPE);
        List<ByteBuffer> issued = pool.end();
        assertEquals(DataType.FP32.byteSize(SHAPE), issued.get(0).capacity());
        assertEquals(DataType.FP32.byteSize(SHAPE), t.data().remaining());
    }
}
