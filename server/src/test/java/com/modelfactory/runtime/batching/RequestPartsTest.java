package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RequestPartsTest {
    /** Slicing a request and joining the parts gives it back, for fixed-size and BYTES tensors alike. */
    @Property(tries = 300)
    void partsJoinBackIntoTheRequest(@ForAll @IntRange(min = 1, max = 40) int items,
                                     @ForAll @IntRange(min = 1, max = 16) int perPart,
                                     @ForAll @IntRange(min = 1, max = 3) int width) {
        float[] values = new float[items * width];
        List<byte[]> strings = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
            strings.add(("s" + "x".repeat(i % 5) + i).getBytes(StandardCharsets.UTF_8)); // lengths differ
        }
        Map<String, Tensor> request = new LinkedHashMap<>();
        request.put("f", Tensor.ofFloats(new long[] {items, width}, values));
        request.put("b", Tensor.ofBytes(new long[] {items, width}, strings));

        List<Map<String, Tensor>> parts = RequestParts.slice(request, items, perPart);
        assertEquals((items + perPart - 1) / perPart, parts.size());
        for (int i = 0; i < parts.size(); i++) {
            long rows = Math.min(perPart, items - (long) i * perPart);
            assertArrayEquals(new long[] {rows, width}, parts.get(i).get("f").shape());
            assertArrayEquals(new long[] {rows, width}, parts.get(i).get("b").shape());
        }
        Map<String, Tensor> joined = RequestParts.concat(parts);
        assertArrayEquals(values, joined.get("f").toFloats());
        assertArrayEquals(new long[] {items, width}, joined.get("b").shape());
        List<byte[]> back = joined.get("b").bytesElements();
        for (int i = 0; i < strings.size(); i++) {
            assertArrayEquals(strings.get(i), back.get(i), "element " + i);
        }
    }
}
