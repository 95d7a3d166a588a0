package com.modelfactory.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An engine-neutral dense tensor in host memory: element type, shape and little-endian bytes in
 * row-major order. Engines copy it into their own tensor type at the seam and back.
 */
public final class Tensor {
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer data;

    public Tensor(DataType dataType, long[] shape, ByteBuffer data) {
        if (dataType == DataType.BYTES) {
            throw new IllegalArgumentException("BYTES tensors are not supported");
        }
        long expected = elementCount(shape) * dataType.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " of " + dataType
                    + " needs " + expected + " bytes but has " + data.remaining());
        }
        this.dataType = dataType;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A zeroed tensor backed by a direct buffer (engines can wrap direct memory without copying). */
    public static Tensor allocate(DataType dataType, long[] shape) {
        long bytes = elementCount(shape) * dataType.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large");
        }
        return new Tensor(dataType, shape,
                ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    public static Tensor ofFloats(long[] shape, float... values) {
        Tensor t = allocate(DataType.FP32, shape);
        t.data.asFloatBuffer().put(values);
        return t;
    }

    public static Tensor ofLongs(long[] shape, long... values) {
        Tensor t = allocate(DataType.INT64, shape);
        t.data.asLongBuffer().put(values);
        return t;
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

    public DataType dataType() {
        return dataType;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** A read-only little-endian view of the bytes, positioned at 0. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The writable backing buffer, for code that fills a freshly allocated tensor. */
    public ByteBuffer mutableData() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Values widened to double, whatever the element type (for JSON output and comparisons). */
    public double[] toDoubles() {
        int n = Math.toIntExact(elementCount());
        double[] out = new double[n];
        ByteBuffer b = data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dataType) {
                case FP32 -> b.getFloat(i * 4);
                case FP64 -> b.getDouble(i * 8);
                case FP16 -> Half.toFloat(b.getShort(i * 2));
                case INT8 -> b.get(i);
                case UINT8 -> b.get(i) & 0xff;
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                case INT16 -> b.getShort(i * 2);
                case UINT16 -> b.getShort(i * 2) & 0xffff;
                case INT32 -> b.getInt(i * 4);
                case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
                case INT64, UINT64 -> b.getLong(i * 8);
                case BYTES -> throw new IllegalStateException();
            };
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
