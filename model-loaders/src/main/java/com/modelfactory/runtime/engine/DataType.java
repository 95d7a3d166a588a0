package com.modelfactory.runtime.engine;

import java.util.Locale;

/** Element types a tensor can hold, named as in the KServe Open Inference Protocol. */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), FP32(4), FP64(8), BYTES(-1);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element; -1 for variable-length BYTES. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == FP32 || this == FP64;
    }

    /** Parses an Open Inference Protocol datatype name ("FP32", "INT64", ...), case-insensitively. */
    public static DataType fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown datatype '" + name + "'; expected one of "
                    + java.util.Arrays.toString(values()));
        }
    }
}
