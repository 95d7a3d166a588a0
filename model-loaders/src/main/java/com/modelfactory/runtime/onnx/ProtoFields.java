package com.modelfactory.runtime.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Protobuf wire format, field by field, over bytes in memory: what {@link ZipMapLabels}, {@link GraphInputs} and
 * {@link ZipMapRewrite} read and write, from one read of the model file ({@link #readSmall}).
 */
final class ProtoFields {
    /** Models read into memory for these looks; a larger one is not read (its labels come from sorted keys). */
    private static final long MAX_BYTES = 256L << 20;

    private ProtoFields() {
    }

    /** The model file's bytes, or null when it is larger than {@link #MAX_BYTES} or cannot be read. */
    static byte[] readSmall(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.size(file) > MAX_BYTES ? null : java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * One field.
     *
     * @param fieldStart where its key starts
     * @param start      where its payload starts (LEN) or its value (others)
     * @param end        where the field ends
     */
    record Field(int number, int type, long value, int fieldStart, int start, int end) {
        String text(byte[] b) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
    }

    static List<Field> all(byte[] b, int start, int end) {
        List<Field> out = new ArrayList<>();
        int[] at = {start};
        while (at[0] < end) {
            int fieldStart = at[0];
            long key = varint(b, at);
            int n = (int) (key >>> 3);
            int type = (int) (key & 7);
            Field f;
            switch (type) {
                case 0 -> {
                    int s = at[0];
                    long v = varint(b, at);
                    f = new Field(n, type, v, fieldStart, s, at[0]);
                }
                case 1 -> {
                    f = new Field(n, type, 0, fieldStart, at[0], at[0] + 8);
                    at[0] += 8;
                }
                case 5 -> {
                    f = new Field(n, type, 0, fieldStart, at[0], at[0] + 4);
                    at[0] += 4;
                }
                case 2 -> {
                    int len = Math.toIntExact(varint(b, at));
                    f = new Field(n, type, 0, fieldStart, at[0], at[0] + len);
                    at[0] += len;
                }
                default -> throw new IllegalArgumentException("wire type " + type + " at " + fieldStart);
            }
            if (at[0] > end || f.end() > end) {
                throw new IllegalArgumentException("truncated field at " + fieldStart);
            }
            out.add(f);
        }
        return out;
    }

    static long varint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    static void writeLen(ByteArrayOutputStream out, int number, byte[] payload) {
        rawVarint(out, ((long) number << 3) | 2);
        rawVarint(out, payload.length);
        out.writeBytes(payload);
    }

    static void writeVarint(ByteArrayOutputStream out, int number, long value) {
        rawVarint(out, (long) number << 3);
        rawVarint(out, value);
    }

    private static void rawVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
