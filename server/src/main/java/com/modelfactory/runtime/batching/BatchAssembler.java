package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Concatenates requests along the batch dimension (one copy) and splits outputs back (no copy). */
public final class BatchAssembler {
    private BatchAssembler() {
    }

    /** Identifies requests that can share a batch: datatype and every dimension but the first, per input. */
    public static String shapeKey(Signature signature, Map<String, Tensor> inputs) {
        StringBuilder sb = new StringBuilder();
        for (TensorSpec spec : signature.inputs()) {
            Tensor t = inputs.get(spec.name());
            if (t == null) {
                continue;
            }
            sb.append(t.dataType()).append('[');
            long[] shape = t.shape();
            for (int i = 1; i < shape.length; i++) {
                sb.append(shape[i]).append(',');
            }
            sb.append(']');
        }
        return sb.toString();
    }

    /**
     * One tensor per input holding every request's rows in order, zero-padded to {@code padTo} rows for
     * models with a fixed batch dimension (0 = no padding), in the worker's reused {@code buffers}: one copy
     * per request, and engines always get direct memory whatever the front end decoded into.
     */
    public static Map<String, Tensor> concat(List<QueuedRequest> requests, int padTo, BatchBuffers buffers) {
        int items = 0;
        for (QueuedRequest r : requests) {
            items += r.items;
        }
        int total = Math.max(items, padTo);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : requests.get(0).inputs.keySet()) {
            Tensor first = requests.get(0).inputs.get(name);
            long[] shape = first.shape();
            if (requests.size() > 1 || total > items) {
                shape[0] = total; // else one request as it came (a model without a batch dimension too)
            }
            out.put(name, first.dataType() == DataType.BYTES ? bytesBatch(requests, name, shape, total - items)
                    : fixedBatch(requests, name, shape, buffers));
        }
        return out;
    }

    private static Tensor fixedBatch(List<QueuedRequest> requests, String name, long[] shape, BatchBuffers buffers) {
        DataType type = requests.get(0).inputs.get(name).dataType();
        long bytes = type.byteSize(shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + bytes + " bytes for input '" + name + "' is too large");
        }
        ByteBuffer dst = buffers.take(name, (int) bytes);
        for (QueuedRequest r : requests) {
            dst.put(r.inputs.get(name).data());
        }
        BatchBuffers.zeroRest(dst);
        return new Tensor(type, shape, dst.rewind());
    }

    /** BYTES elements have their own lengths: concatenated as they are, padding rows as empty elements. */
    private static Tensor bytesBatch(List<QueuedRequest> requests, String name, long[] shape, int padRows) {
        if (requests.size() == 1 && padRows == 0) {
            return requests.get(0).inputs.get(name);
        }
        long perRow = Tensor.elementCount(shape) / Math.max(1, shape[0]);
        long size = 4L * perRow * padRows;
        for (QueuedRequest r : requests) {
            size += r.inputs.get(name).data().remaining();
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + size + " bytes for input '" + name + "' is too large");
        }
        ByteBuffer dst = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        for (QueuedRequest r : requests) {
            dst.put(r.inputs.get(name).data());
        }
        return new Tensor(DataType.BYTES, shape, dst.rewind()); // the rest is zeros: empty elements
    }

    private static boolean rowsMatch(Map<String, Tensor> outputs, int items) {
        for (Tensor t : outputs.values()) {
            long[] s = t.shape();
            if (s.length == 0 || s[0] != items) {
                return false;
            }
        }
        return true;
    }

    /** Slices each output's rows back to the requests, in order. */
    public static List<Map<String, Tensor>> split(Map<String, Tensor> outputs, List<QueuedRequest> requests) {
        List<Map<String, Tensor>> parts = new ArrayList<>(requests.size());
        if (requests.size() == 1 && rowsMatch(outputs, requests.get(0).items)) {
            parts.add(outputs);
            return parts;
        }
        for (int i = 0; i < requests.size(); i++) {
            parts.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = t.shape();
            long rows = shape.length == 0 ? 0 : shape[0];
            int total = requests.stream().mapToInt(r -> r.items).sum();
            if (rows < total) {
                throw new IllegalStateException("output '" + e.getKey() + "' has " + rows + " rows for a batch of "
                        + total + "; the model's first output dimension is not its batch dimension");
            }
            long rowBytes = t.elementCount() / Math.max(rows, 1) * t.dataType().byteSize();
            ByteBuffer all = t.data();
            int offset = 0;
            for (int i = 0; i < requests.size(); i++) {
                int n = requests.get(i).items;
                long[] s = shape.clone();
                s[0] = n;
                ByteBuffer slice = all.duplicate();
                slice.position((int) (offset * rowBytes)).limit((int) ((offset + n) * rowBytes));
                parts.get(i).put(e.getKey(), new Tensor(t.dataType(), s, slice));
                offset += n;
            }
        }
        return parts;
    }
}
