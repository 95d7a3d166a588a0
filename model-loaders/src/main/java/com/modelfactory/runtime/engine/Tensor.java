package com.modelfactory.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An engine-neutral tensor in host memory: element type, shape and little-endian bytes in row-major
 * order. Engines copy it into their own tensor type at the seam and back.
 *
 * <p>A {@link DataType#BYTES} tensor holds one byte string per element, in row-major order, laid out as
 * the Triton binary tensor format has them: per element a 4-byte little-endian length, then the bytes.
 * So a binary request section can be wrapped as it is, without copying.
 */
public final class Tensor {
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer data;
    /** BYTES only: where each element's length prefix starts; null for fixed-size types. */
    private final int[] offsets;

    /**
     * Wraps {@code data} (from its position to its limit): the dense elements, or for BYTES the
     * length-prefixed elements, which must be exactly as many as the shape holds.
     */
    public Tensor(DataType dataType, long[] shape, ByteBuffer data) {
        this.dataType = dataType;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dataType == DataType.BYTES) {
            this.offsets = elementOffsets(this.data, elementCount(shape), this.shape);
        } else {
            long expected = dataType.byteSize(shape);
            if (data.remaining() != expected) {
                throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " of " + dataType
                        + " needs " + expected + " bytes but has " + data.remaining());
            }
            this.offsets = null;
        }
    }

    /** A zeroed tensor backed by a direct buffer (engines can wrap direct memory without copying). */
    public static Tensor allocate(DataType dataType, long[] shape) {
        return new Tensor(dataType, shape,
                ByteBuffer.allocateDirect(fixedSize(dataType, shape)).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** The bytes a fixed-size tensor takes; refuses BYTES (no size before its elements) and over 2 GiB. */
    private static int fixedSize(DataType dataType, long[] shape) {
        if (dataType == DataType.BYTES) {
            throw new IllegalArgumentException("a BYTES tensor has no size before its elements are known;"
                    + " use Tensor.ofBytes");
        }
        long bytes = dataType.byteSize(shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large");
        }
        return (int) bytes;
    }

    /**
     * A zeroed tensor on the Java heap: for a request's tensors, which the batch assembler copies into its
     * worker's own direct buffer anyway. Garbage on the heap is collected with the request that made it; a
     * direct buffer's native memory waits for a collection that its small heap object rarely triggers
     * (MobileNetV2: 600 KB of native memory per request, floating until the next young collection).
     */
    public static Tensor allocateHeap(DataType dataType, long[] shape) {
        return new Tensor(dataType, shape, ByteBuffer.allocate(fixedSize(dataType, shape)).order(ByteOrder.LITTLE_ENDIAN));
    }

    public static Tensor ofFloats(long[] shape, float... values) {
        Tensor t = allocate(DataType.FP32, shape);
        t.data.asFloatBuffer().put(values);
        return t;
    }

    public static Tensor ofDoubles(long[] shape, double... values) {
        Tensor t = allocate(DataType.FP64, shape);
        t.data.asDoubleBuffer().put(values);
        return t;
    }

    public static Tensor ofLongs(long[] shape, long... values) {
        Tensor t = allocate(DataType.INT64, shape);
        t.data.asLongBuffer().put(values);
        return t;
    }

    /** A BYTES tensor of these byte strings, one per element in row-major order. */
    public static Tensor ofBytes(long[] shape, List<byte[]> elements) {
        long count = elementCount(shape);
        if (elements.size() != count) {
            throw new IllegalArgumentException("BYTES tensor " + Arrays.toString(shape) + " holds " + count
                    + " elements but " + elements.size() + " were given");
        }
        long size = 0;
        for (byte[] e : elements) {
            size += 4L + e.length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("BYTES tensor of " + size + " bytes is too large");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return new Tensor(DataType.BYTES, shape, b.flip());
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Walks the length prefixes: every element must lie inside the buffer and nothing may follow the last. */
    private static int[] elementOffsets(ByteBuffer b, long count, long[] shape) {
        if (count > b.remaining() / 4) {
            throw new IllegalArgumentException("BYTES tensor " + Arrays.toString(shape) + " holds " + count
                    + " elements but its " + b.remaining() + " bytes cannot hold that many length prefixes");
        }
        int[] offsets = new int[(int) count];
        int at = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (b.limit() - at < 4) {
                throw new IllegalArgumentException("BYTES tensor " + Arrays.toString(shape) + ": element " + i
                        + " has no 4-byte length (the data ends after " + i + " of " + count + " elements)");
            }
            long length = b.getInt(at) & 0xffffffffL;
            if (length > b.limit() - at - 4) {
                throw new IllegalArgumentException("BYTES tensor " + Arrays.toString(shape) + ": element " + i
                        + " says " + length + " bytes but only " + (b.limit() - at - 4) + " follow");
            }
            offsets[i] = at;
            at += 4 + (int) length;
        }
        if (at != b.limit()) {
            throw new IllegalArgumentException("BYTES tensor " + Arrays.toString(shape) + " holds " + count
                    + " elements in " + at + " bytes but has " + (b.limit() - at) + " bytes more");
        }
        return offsets;
    }

    public DataType dataType() {
        return dataType;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** A read-only little-endian view of the bytes (for BYTES: the length-prefixed layout), positioned at 0. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The writable backing buffer, for code that fills a freshly allocated tensor. */
    public ByteBuffer mutableData() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code index} (row-major) widened to double. */
    public double getDouble(int index) {
        return dataType.get(data, checkIndex(index));
    }

    /** Element {@code index} as a long (exact for integer types). */
    public long getLong(int index) {
        return dataType.getLong(data, checkIndex(index));
    }

    /** Writes element {@code index}, converted to the tensor's type. */
    public void setDouble(int index, double value) {
        dataType.set(data, checkIndex(index), value);
    }

    /** Writes element {@code index} from a long (exact for 64-bit integer types). */
    public void setLong(int index, long value) {
        dataType.setLong(data, checkIndex(index), value);
    }

    /** Element {@code index} of a BYTES tensor: a read-only view of its bytes, no copy. */
    public ByteBuffer bytesElement(int index) {
        if (offsets == null) {
            throw new IllegalStateException("a " + dataType + " tensor has no byte-string elements");
        }
        int at = offsets[checkIndex(index)];
        int length = data.getInt(at);
        return data.slice(at + 4, length).asReadOnlyBuffer();
    }

    /** Copies of every element of a BYTES tensor, in row-major order. */
    public List<byte[]> bytesElements() {
        int n = Math.toIntExact(elementCount());
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ByteBuffer e = bytesElement(i);
            byte[] copy = new byte[e.remaining()];
            e.get(copy);
            out.add(copy);
        }
        return out;
    }

    private int checkIndex(int index) {
        long count = elementCount();
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("element " + index + " of tensor " + this + " (" + count
                    + " elements)");
        }
        return index;
    }

    /** Values widened to double, whatever the element type (for JSON output and comparisons). */
    public double[] toDoubles() {
        int n = Math.toIntExact(elementCount());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = dataType.get(data, i);
        }
        return out;
    }

    public float[] toFloats() {
        if (dataType == DataType.FP32) {
            float[] out = new float[Math.toIntExact(elementCount())];
            data().asFloatBuffer().get(out);
            return out;
        }
        double[] d = toDoubles();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor(" + dataType + Arrays.toString(shape) + ")";
    }
}
