package com.modelfactory.runtime.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Element types a tensor can hold, named as in the KServe Open Inference Protocol, and the one place
 * that knows how each is laid out: bytes per element and how an element is read or written in a
 * little-endian buffer. Engines keep only their own type-name tables ({@link TypeTable}).
 */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), BF16(2), FP32(4), FP64(8), BYTES(-1);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element; -1 for variable-length BYTES. */
    public int byteSize() {
        return byteSize;
    }

    /** Bytes the elements of a dense tensor of this shape take (not defined for BYTES). */
    public long byteSize(long[] shape) {
        requireFixedSize();
        return Math.multiplyExact(Tensor.elementCount(shape), byteSize);
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == BF16 || this == FP32 || this == FP64;
    }

    /** Element {@code index} of a little-endian buffer, widened to double (64-bit integers may round). */
    public double get(ByteBuffer b, int index) {
        return switch (this) {
            case FP32 -> b.getFloat(index * 4);
            case FP64 -> b.getDouble(index * 8);
            case FP16 -> Half.toFloat(b.getShort(index * 2));
            case BF16 -> BFloat16.toFloat(b.getShort(index * 2));
            case INT64, UINT64 -> b.getLong(index * 8);
            default -> getLong(b, index);
        };
    }

    /** Element {@code index} as a long: exact for every integer type and BOOL (1 or 0); floats truncate. */
    public long getLong(ByteBuffer b, int index) {
        return switch (this) {
            case INT8 -> b.get(index);
            case UINT8 -> b.get(index) & 0xff;
            case BOOL -> b.get(index) != 0 ? 1 : 0;
            case INT16 -> b.getShort(index * 2);
            case UINT16 -> b.getShort(index * 2) & 0xffff;
            case INT32 -> b.getInt(index * 4);
            case UINT32 -> b.getInt(index * 4) & 0xffffffffL;
            case INT64, UINT64 -> b.getLong(index * 8);
            case FP16, BF16, FP32, FP64 -> (long) get(b, index);
            case BYTES -> throw notNumeric();
        };
    }

    /** Writes element {@code index}: floats rounded to the type, integers truncated, BOOL as 1 for non-zero. */
    public void set(ByteBuffer b, int index, double value) {
        switch (this) {
            case FP32 -> b.putFloat(index * 4, (float) value);
            case FP64 -> b.putDouble(index * 8, value);
            case FP16 -> b.putShort(index * 2, Half.fromFloat((float) value));
            case BF16 -> b.putShort(index * 2, BFloat16.fromFloat((float) value));
            case BOOL -> b.put(index, (byte) (value != 0 ? 1 : 0));
            default -> setLong(b, index, (long) value);
        }
    }

    /** Writes element {@code index} from a long: exact for 64-bit integers; narrower types keep the low bits. */
    public void setLong(ByteBuffer b, int index, long value) {
        switch (this) {
            case INT8, UINT8 -> b.put(index, (byte) value);
            case BOOL -> b.put(index, (byte) (value != 0 ? 1 : 0));
            case INT16, UINT16 -> b.putShort(index * 2, (short) value);
            case INT32, UINT32 -> b.putInt(index * 4, (int) value);
            case INT64, UINT64 -> b.putLong(index * 8, value);
            case FP16, BF16, FP32, FP64 -> set(b, index, value);
            case BYTES -> throw notNumeric();
        }
    }

    private void requireFixedSize() {
        if (this == BYTES) {
            throw new IllegalArgumentException("BYTES elements have no fixed size");
        }
    }

    private IllegalStateException notNumeric() {
        return new IllegalStateException("a BYTES tensor holds byte strings, not numbers");
    }

    /** Parses an Open Inference Protocol datatype name ("FP32", "INT64", ...), case-insensitively. */
    public static DataType fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown datatype '" + name + "'; expected one of "
                    + Arrays.toString(values()));
        }
    }
}
