package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {
    private static QueuedRequest request(float... values) {
        Tensor t = Tensor.allocateHeap(DataType.FP32, new long[] {values.length / 2, 2});
        t.mutableData().asFloatBuffer().put(values);
        return new QueuedRequest(Map.of("x", t), values.length / 2, "k", Long.MAX_VALUE, new CompletableFuture<>());
    }

    private static float[] floats(Tensor t) {
        float[] out = new float[(int) t.elementCount()];
        t.data().asFloatBuffer().get(out);
        return out;
    }

    @Test
    void rowsAreConcatenatedInOrderIntoDirectMemory() {
        Tensor batch = BatchAssembler.concat(List.of(request(1, 2), request(3, 4, 5, 6)), 0, new BatchBuffers()).get("x");
        assertArrayEquals(new long[] {3, 2}, batch.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, floats(batch));
        assertTrue(batch.data().isDirect(), "engines get direct memory whatever the request was decoded into");
    }

    @Test
    void aReusedBufferPadsWithZerosNotWithTheLastBatch() {
        BatchBuffers buffers = new BatchBuffers();
        BatchAssembler.concat(List.of(request(9, 9, 9, 9, 9, 9, 9, 9)), 4, buffers);
        Tensor padded = BatchAssembler.concat(List.of(request(1, 2)), 4, buffers).get("x");
        assertArrayEquals(new long[] {4, 2}, padded.shape());
        assertArrayEquals(new float[] {1, 2, 0, 0, 0, 0, 0, 0}, floats(padded));
    }

    @Test
    void aLargerBatchGrowsTheBufferAndASmallerOneSeesOnlyItsRows() {
        BatchBuffers buffers = new BatchBuffers();
        BatchAssembler.concat(List.of(request(1, 2)), 0, buffers);
        Tensor big = BatchAssembler.concat(List.of(request(1, 2), request(3, 4), request(5, 6)), 0, buffers).get("x");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, floats(big));
        Tensor small = BatchAssembler.concat(List.of(request(7, 8)), 0, buffers).get("x");
        assertEquals(2, small.elementCount());
        assertArrayEquals(new float[] {7, 8}, floats(small));
    }

    @Test
    void oneRequestKeepsItsShapeForAModelWithoutABatchDimension() {
        Tensor whole = Tensor.allocateHeap(DataType.FP32, new long[] {3});
        whole.mutableData().asFloatBuffer().put(new float[] {1, 2, 5});
        QueuedRequest r = new QueuedRequest(Map.of("x", whole), 1, "k", Long.MAX_VALUE, new CompletableFuture<>());
        Tensor batch = BatchAssembler.concat(List.of(r), 0, new BatchBuffers()).get("x");
        assertArrayEquals(new long[] {3}, batch.shape());
        assertArrayEquals(new float[] {1, 2, 5}, floats(batch));
    }

    @Test
    void bytesElementsKeepTheirLengthsAndPaddingRowsAreEmpty() {
        QueuedRequest a = new QueuedRequest(Map.of("s", Tensor.ofBytes(new long[] {1}, List.of("abc".getBytes()))), 1,
                "k", Long.MAX_VALUE, new CompletableFuture<>());
        QueuedRequest b = new QueuedRequest(Map.of("s", Tensor.ofBytes(new long[] {1}, List.of("de".getBytes()))), 1,
                "k", Long.MAX_VALUE, new CompletableFuture<>());
        Tensor batch = BatchAssembler.concat(List.of(a, b), 3, new BatchBuffers()).get("s");
        assertArrayEquals(new long[] {3}, batch.shape());
        List<byte[]> elements = batch.bytesElements();
        assertEquals("abc", new String(elements.get(0)));
        assertEquals("de", new String(elements.get(1)));
        assertEquals(0, elements.get(2).length);
    }
}
