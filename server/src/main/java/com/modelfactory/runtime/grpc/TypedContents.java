package com.modelfactory.runtime.grpc;

import com.google.protobuf.ByteString;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.grpc.proto.InferTensorContents;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An input given as typed {@code contents} (InferTensorContents) as a tensor. Each datatype has one field:
 * INT8/INT16/INT32 in int_contents and UINT8/UINT16/UINT32 in uint_contents (widened; narrowed here with a
 * range check), BYTES elements without length prefix; FP16 and BF16 have no typed form. The field must hold
 * exactly as many elements as the shape, and no other field may hold any.
 */
final class TypedContents {
    private TypedContents() {
    }

    static Tensor tensor(String input, DataType type, long[] shape, InferTensorContents c) {
        String field = field(input, type);
        int count = count(type, c);
        long elements = Tensor.elementCount(shape);
        if (count != elements) {
            throw ServingException.badInput("input '" + input + "' has shape " + Arrays.toString(shape) + " ("
                    + elements + " elements) but contents." + field + " holds " + count);
        }
        if (total(c) != count) {
            throw ServingException.badInput("input '" + input + "' is " + type + ": its elements go in contents."
                    + field + " only, but other fields of contents hold elements too");
        }
        if (type == DataType.BYTES) {
            List<byte[]> items = new ArrayList<>(count);
            for (ByteString b : c.getBytesContentsList()) {
                items.add(b.toByteArray());
            }
            return Tensor.ofBytes(shape, items);
        }
        Tensor t = Tensor.allocate(type, shape);
        fill(input, type, t.mutableData(), c, count);
        return t;
    }

    /** The contents field that carries {@code type}. */
    private static String field(String input, DataType type) {
        return switch (type) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            case BYTES -> "bytes_contents";
            case FP16, BF16 -> throw ServingException.badInput("input '" + input + "' is " + type
                    + ", which has no typed contents: send it in raw_input_contents");
        };
    }

    private static int count(DataType type, InferTensorContents c) {
        return switch (type) {
            case BOOL -> c.getBoolContentsCount();
            case INT8, INT16, INT32 -> c.getIntContentsCount();
            case INT64 -> c.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
            case UINT64 -> c.getUint64ContentsCount();
            case FP32 -> c.getFp32ContentsCount();
            case FP64 -> c.getFp64ContentsCount();
            case BYTES -> c.getBytesContentsCount();
            case FP16, BF16 -> 0;
        };
    }

    private static long total(InferTensorContents c) {
        return (long) c.getBoolContentsCount() + c.getIntContentsCount() + c.getInt64ContentsCount()
                + c.getUintContentsCount() + c.getUint64ContentsCount() + c.getFp32ContentsCount()
                + c.getFp64ContentsCount() + c.getBytesContentsCount();
    }

    private static void fill(String input, DataType type, ByteBuffer out, InferTensorContents c, int n) {
        switch (type) {
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out.put(i, (byte) (c.getBoolContents(i) ? 1 : 0));
                }
            }
            case INT8, INT16, INT32 -> {
                for (int i = 0; i < n; i++) {
                    type.setLong(out, i, checked(input, type, c.getIntContents(i)));
                }
            }
            case UINT8, UINT16, UINT32 -> {
                for (int i = 0; i < n; i++) {
                    type.setLong(out, i, checked(input, type, Integer.toUnsignedLong(c.getUintContents(i))));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    out.putLong(8 * i, c.getInt64Contents(i));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    out.putLong(8 * i, c.getUint64Contents(i));
                }
            }
            case FP32 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(4 * i, c.getFp32Contents(i));
                }
            }
            case FP64 -> {
                for (int i = 0; i < n; i++) {
                    out.putDouble(8 * i, c.getFp64Contents(i));
                }
            }
            default -> throw new IllegalStateException("no typed contents for " + type);
        }
    }

    /** The value, unless it does not fit the narrower type (int_contents and uint_contents are 32-bit). */
    private static long checked(String input, DataType type, long v) {
        long min;
        long max;
        switch (type) {
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT8 -> { min = 0; max = 0xff; }
            case UINT16 -> { min = 0; max = 0xffff; }
            default -> { return v; }
        }
        if (v < min || v > max) {
            throw ServingException.badInput("input '" + input + "' is " + type + " but holds " + v
                    + ", outside [" + min + ", " + max + "]");
        }
        return v;
    }
}
