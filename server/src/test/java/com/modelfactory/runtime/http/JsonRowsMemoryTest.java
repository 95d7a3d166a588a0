package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.serving.ModelInputs;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A large legacy {"instances": ...} body costs the body plus the tensor, not boxed lists: a 61 MiB body
 * took RSS from 320 MB to 1.5 GB when instances went through Vert.x's JsonObject.
 */
class JsonRowsMemoryTest {

    @Test
    void parsingAllocatesLittleMoreThanTheTensor() throws Exception {
        int rows = 1500;
        int width = 3 * 32 * 32;
        StringBuilder sb = new StringBuilder("[");
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "[" : ",[");
            for (int i = 0; i < width; i++) {
                sb.append(i == 0 ? "" : ",").append((i % 10) / 10.0);
            }
            sb.append(']');
        }
        byte[] body = sb.append(']').toString().getBytes(StandardCharsets.US_ASCII);
        TensorSpec x = new TensorSpec("x", DataType.FP32, new long[] {-1, width});
        ModelInputs model = new ModelInputs(new Signature(List.of(x), List.of(x), true, -1), null, "no images");

        JsonRows.read(body, 0, model, "instances"); // warm the code path (class loading, JIT) before measuring
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Map<String, Tensor> tensors = JsonRows.read(body, 0, model, "instances");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        Tensor t = tensors.get("x");
        assertArrayEquals(new long[] {rows, width}, t.shape());
        assertEquals(0.9, t.getDouble(width * 3 + 9), 1e-6);
        long tensorBytes = (long) rows * width * 4;
        // The tensor is direct memory; on the heap only the parsers' buffers and the result map remain.
        assertTrue(allocated < body.length / 2 + (1 << 20), "heap allocated while parsing " + allocated
                + " bytes for a " + body.length + "-byte body (the tensor, " + tensorBytes + " bytes, is off-heap)");
    }
}
