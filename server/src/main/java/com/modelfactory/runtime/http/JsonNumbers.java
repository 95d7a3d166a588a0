package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.BFloat16;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Numbers of JSON tensor data, read with Jackson's streaming API straight into primitive arrays or the
 * tensor itself (request bodies can hold millions of them), checked strictly: nested arrays must not be
 * ragged, and every value must fit its datatype (1e400 is not an FP32).
 */
final class JsonNumbers {
    private JsonNumbers() {
    }

    /** Where the numbers of a "data" array go, one JSON value at a time. */
    interface NumberSink {
        void add(JsonParser p) throws IOException;
    }

    /**
     * Reads a possibly nested array (the parser is at its START_ARRAY) into {@code into}, row-major.
     * @return the lengths of the nesting levels, outermost first (one entry for a flat array)
     */
    static long[] readArray(JsonParser p, NumberSink into, String what) throws IOException {
        List<Long> lengths = new ArrayList<>();
        int[] leafDepth = {-1};
        readLevel(p, into, 0, lengths, leafDepth, what);
        return lengths.stream().mapToLong(Long::longValue).toArray();
    }

    private static void readLevel(JsonParser p, NumberSink into, int depth, List<Long> lengths, int[] leafDepth,
                                  String what) throws IOException {
        if (lengths.size() <= depth) {
            lengths.add(-1L); // filled when this level's first array ends
        }
        long n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw ServingException.badInput("malformed JSON: unexpected end of input in an array");
            }
            boolean nested = t == JsonToken.START_ARRAY;
            int here = nested ? -2 : depth;
            if (leafDepth[0] == -1 && !nested) {
                leafDepth[0] = depth;
            }
            if ((nested && leafDepth[0] == depth) || (!nested && leafDepth[0] != here)) {
                throw ragged(what);
            }
            if (nested) {
                readLevel(p, into, depth + 1, lengths, leafDepth, what);
            } else {
                into.add(p);
            }
            n++;
        }
        if (lengths.get(depth) < 0) {
            lengths.set(depth, n);
        } else if (lengths.get(depth) != n) {
            throw ragged(what);
        }
    }

    private static ServingException ragged(String what) {
        return ServingException.badInput(what + " is ragged: every array at one nesting level must have the "
                + "same length, and numbers may only appear at the innermost level");
    }

    /** A JSON value as a double: numbers, booleans (1/0), and "NaN"/"Infinity"/"-Infinity" strings. */
    static double value(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE ? 1 : 0;
        }
        if (t == JsonToken.VALUE_STRING && isSpecial(p.getText())) {
            return Double.parseDouble(p.getText());
        }
        throw ServingException.badInput("tensor data must be numbers or booleans, found " + t
                + (t == JsonToken.VALUE_STRING ? " \"" + p.getText() + "\"" : ""));
    }

    private static boolean isSpecial(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity");
    }

    /**
     * Element {@code i} of a tensor: {@code exact} is the value as a long where it was a JSON integer;
     * {@code literal} says the value was written as a number (so an infinity is an overflow, not "Infinity").
     */
    static void store(String name, ByteBuffer b, DataType type, int i, double v, long exact, boolean literal) {
        switch (type) {
            case FP32 -> b.putFloat(i * 4, (float) checkFloat(name, v, Float.MAX_VALUE, literal, type));
            case FP64 -> b.putDouble(i * 8, checkFloat(name, v, Double.MAX_VALUE, literal, type));
            case FP16 -> b.putShort(i * 2, Half.fromFloat((float) checkFloat(name, v, 65504, literal, type)));
            case BF16 -> b.putShort(i * 2, BFloat16.fromFloat((float) checkFloat(name, v, Float.MAX_VALUE, literal, type)));
            case INT8 -> b.put(i, (byte) checkRange(name, v, -128, 127));
            case UINT8 -> b.put(i, (byte) checkRange(name, v, 0, 255));
            case BOOL -> b.put(i, (byte) checkRange(name, v, 0, 1));
            case INT16 -> b.putShort(i * 2, (short) checkRange(name, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> b.putShort(i * 2, (short) checkRange(name, v, 0, 65535));
            case INT32 -> b.putInt(i * 4, (int) checkRange(name, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> b.putInt(i * 4, (int) checkRange(name, v, 0, 4294967295L));
            case INT64, UINT64 -> b.putLong(i * 8, checkedExact(name, type, v, exact));
            default -> throw ServingException.badInput("input '" + name + "': datatype " + type
                    + " cannot be given as JSON numbers");
        }
    }

    /**
     * The 64 bits of an INT64/UINT64 element, refusing what they cannot hold: {@code v} is the value as
     * written (an integer beyond 2^53 only approximately), {@code exact} its bits (two's complement for
     * UINT64 above 2^63). A fraction, NaN, an out-of-range or (for UINT64) negative value was silently
     * truncated before.
     */
    private static long checkedExact(String name, DataType type, double v, long exact) {
        double asWritten = type == DataType.UINT64 && exact < 0 ? exact + 0x1p64 : (double) exact;
        if (Double.isNaN(v) || asWritten != v || (type == DataType.UINT64 && v < 0)) {
            throw ServingException.badInput("input '" + name + "' holds " + v + ", not a whole number within the "
                    + "range of " + type);
        }
        return exact;
    }

    private static double checkFloat(String name, double v, double max, boolean literal, DataType type) {
        if (literal && !Double.isNaN(v) && Math.abs(v) > max) {
            throw ServingException.badInput("input '" + name + "' holds " + v + ", outside the range of " + type
                    + " (|x| <= " + max + "); send \"Infinity\" for an infinity");
        }
        return v;
    }

    private static long checkRange(String name, double v, long min, long max) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw ServingException.badInput("input '" + name + "' holds " + v + ", outside the datatype's range ["
                    + min + ", " + max + "] or not a whole number");
        }
        return (long) v;
    }

    /** A JSON integer as the 64 bits of an INT64 or UINT64 (0 to 2^64-1, stored two's complement). */
    static long exactLong(JsonParser p, DataType type, String name) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            java.math.BigInteger v = p.getBigIntegerValue();
            if (type == DataType.UINT64 && v.signum() >= 0 && v.bitLength() <= 64) {
                return v.longValue();
            }
            throw ServingException.badInput("input '" + name + "' holds " + v + ", outside the range of " + type);
        }
        long l = p.getLongValue();
        if (type == DataType.UINT64 && l < 0) {
            throw ServingException.badInput("input '" + name + "' holds " + l + ", outside the range of UINT64");
        }
        return l;
    }

    static ServingException countMismatch(String name, long[] shape, long count, Object values) {
        return ServingException.badInput("input '" + name + "' has shape " + Arrays.toString(shape) + " ("
                + count + " values) but " + values + " values in \"data\"");
    }

    /** Numbers written straight into a tensor whose type and shape are already known. */
    static final class TensorFill implements NumberSink {
        private final String name;
        private final DataType type;
        private final long[] shape;
        private final long count;
        private final Tensor tensor;
        private final ByteBuffer buffer;
        private long size;

        TensorFill(String name, DataType type, long[] shape) {
            this.name = name;
            this.type = type;
            this.shape = shape;
            this.count = Tensor.elementCount(shape);
            if (type == DataType.BYTES) {
                throw ServingException.badInput("input '" + name + "' is BYTES: its values must be strings");
            }
            this.tensor = Tensor.allocate(type, shape);
            this.buffer = tensor.mutableData();
        }

        @Override
        public void add(JsonParser p) throws IOException {
            if (size == count) {
                throw countMismatch(name, shape, count, count + 1 + " or more");
            }
            JsonToken t = p.currentToken();
            boolean literal = t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT;
            if (t == JsonToken.VALUE_NUMBER_INT && (type == DataType.INT64 || type == DataType.UINT64)) {
                long l = exactLong(p, type, name);
                double asWritten = type == DataType.UINT64 && l < 0 ? l + 0x1p64 : (double) l;
                store(name, buffer, type, (int) size++, asWritten, l, true);
            } else {
                double v = value(p, t);
                store(name, buffer, type, (int) size++, v, (long) v, literal);
            }
        }

        Tensor finish() {
            if (size != count) {
                throw countMismatch(name, shape, count, size);
            }
            return tensor;
        }
    }

    /**
     * BYTES elements given as JSON strings: the string's UTF-8 bytes (the protocol's rule), or, for the
     * input that takes encoded images, the bytes its base64 text stands for.
     */
    static final class BytesFill implements NumberSink {
        private final String name;
        private final long[] shape;
        private final long count;
        private final boolean base64;
        private final List<byte[]> elements = new ArrayList<>();

        BytesFill(String name, long[] shape, boolean base64) {
            this.name = name;
            this.shape = shape;
            this.count = Tensor.elementCount(shape);
            this.base64 = base64;
        }

        @Override
        public void add(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw ServingException.badInput("input '" + name + "' is BYTES: its data must be strings, found "
                        + p.currentToken());
            }
            if (elements.size() == count) {
                throw countMismatch(name, shape, count, count + 1 + " or more");
            }
            elements.add(base64 ? JsonRows.Base64Text.decode(p.getText(), "input '" + name + "' (an encoded image as base64)")
                    : p.getText().getBytes(StandardCharsets.UTF_8));
        }

        Tensor finish() {
            if (elements.size() != count) {
                throw countMismatch(name, shape, count, elements.size());
            }
            return Tensor.ofBytes(shape, elements);
        }
    }

    /** A growable list of numbers; exact longs are kept too so INT64 values above 2^53 survive. */
    static final class Numbers implements NumberSink {
        double[] values = new double[64];
        long[] longs;
        /** Set where a value was written as a JSON number rather than a string such as "Infinity". */
        boolean[] special;
        int size;

        @Override
        public void add(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT) {
                long l = p.getLongValue();
                add((double) l);
                if (longs == null && Math.abs(l) > (1L << 53)) {
                    longs = new long[values.length];
                    for (int i = 0; i < size - 1; i++) {
                        longs[i] = (long) values[i];
                    }
                }
                if (longs != null) {
                    ensureLongs();
                    longs[size - 1] = l;
                }
                return;
            }
            double v = value(p, t);
            add(v);
            if (t == JsonToken.VALUE_STRING) {
                markSpecial(size - 1);
            }
            if (longs != null) {
                ensureLongs();
                longs[size - 1] = (long) v;
            }
        }

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        private void markSpecial(int i) {
            if (special == null || special.length < values.length) {
                special = special == null ? new boolean[values.length] : Arrays.copyOf(special, values.length);
            }
            special[i] = true;
        }

        private void ensureLongs() {
            if (longs.length < values.length) {
                longs = Arrays.copyOf(longs, values.length);
            }
        }

        long[] toLongs() {
            long[] out = new long[size];
            for (int i = 0; i < size; i++) {
                if (values[i] != Math.rint(values[i])) {
                    throw ServingException.badInput("\"shape\" must hold whole numbers");
                }
                out[i] = (long) values[i];
            }
            return out;
        }

        /** The numbers as a tensor of this type and shape. */
        Tensor toTensor(String name, DataType type, long[] shape) {
            long count = Tensor.elementCount(TensorJson.checkedShape(name, shape));
            if (count != size) {
                throw countMismatch(name, shape, count, size);
            }
            Tensor t = Tensor.allocate(type, shape);
            ByteBuffer b = t.mutableData();
            for (int i = 0; i < size; i++) {
                boolean literal = special == null || i >= special.length || !special[i];
                store(name, b, type, i, values[i], longs != null ? longs[i] : (long) values[i], literal);
            }
            return t;
        }
    }
}
