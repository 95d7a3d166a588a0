package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open Inference Protocol tensors to and from JSON with Jackson's streaming API: numbers go straight
 * into primitive arrays, never through boxed lists, because request bodies can hold millions of them.
 */
public final class TensorJson {
    // Fast double parsing and writing (FastDoubleParser, Schubfach): a tensor is mostly numbers.
    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private TensorJson() {
    }

    /** A parsed inference request: inputs by name, and the outputs asked for (empty = all). */
    public record InferRequest(String id, Map<String, Tensor> inputs, List<String> outputs) {
    }

    public static InferRequest parseInferRequest(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "the body must be a JSON object with \"inputs\"");
            String id = null;
            Map<String, Tensor> inputs = null;
            List<String> outputs = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> id = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                    case "inputs" -> inputs = parseInputs(p, body.length);
                    case "outputs" -> {
                        expect(t == JsonToken.START_ARRAY, "\"outputs\" must be an array of {\"name\": ...}");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                p.nextToken();
                                if (f.equals("name")) {
                                    outputs.add(p.getValueAsString());
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(inputs != null, "the request has no \"inputs\" array");
            return new InferRequest(id, inputs, outputs);
        } catch (IOException e) {
            throw new InvalidInputException("malformed JSON: " + Messages.firstLine(e.getMessage()));
        }
    }

    private static Map<String, Tensor> parseInputs(JsonParser p, int bodyBytes) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY, "\"inputs\" must be an array of tensors");
        Map<String, Tensor> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            String datatype = null;
            long[] shape = null;
            Numbers staged = null;
            Tensor filled = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "name" -> name = p.getValueAsString();
                    case "datatype" -> datatype = p.getValueAsString();
                    case "shape" -> {
                        expect(t == JsonToken.START_ARRAY, "\"shape\" must be an array of integers");
                        Numbers dims = new Numbers();
                        readFlat(p, dims);
                        shape = dims.toLongs();
                    }
                    case "data" -> {
                        // Clients send name, shape, datatype, then data: the numbers then go straight into
                        // the tensor. In any other order they are staged and copied once the shape is known;
                        // so are they when the shape claims more values than the body could hold (every
                        // value takes two bytes, "0,"), so a small request never allocates a huge tensor.
                        String label = name != null ? name : "?";
                        TensorFill direct = null;
                        if (datatype != null && shape != null
                                && Tensor.elementCount(checkedShape(label, shape)) <= (bodyBytes + 1L) / 2) {
                            direct = new TensorFill(label, dataType(label, datatype), shape);
                        }
                        NumberSink sink = direct != null ? direct : (staged = new Numbers());
                        if (t == JsonToken.START_ARRAY) {
                            readFlat(p, sink);
                        } else {
                            sink.add(p);
                        }
                        if (direct != null) {
                            filled = direct.finish();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(name != null, "an input has no \"name\"");
            expect(datatype != null, "input '" + name + "' has no \"datatype\"");
            expect(shape != null, "input '" + name + "' has no \"shape\"");
            expect(filled != null || staged != null, "input '" + name + "' has no \"data\"");
            out.put(name, filled != null ? filled : toTensor(name, dataType(name, datatype), shape, staged));
        }
        return out;
    }

    private static DataType dataType(String input, String datatype) {
        DataType type;
        try {
            type = DataType.fromName(datatype);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("input '" + input + "': " + e.getMessage());
        }
        expect(type != DataType.BYTES, "input '" + input + "': BYTES tensors are not supported");
        return type;
    }

    private static long[] checkedShape(String input, long[] shape) {
        try {
            Tensor.elementCount(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException("input '" + input + "' has an invalid shape " + Arrays.toString(shape));
        }
        return shape;
    }

    /** Reads a possibly nested array (already at START_ARRAY) into flat numbers, row-major. */
    private static void readFlat(JsonParser p, NumberSink into) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.START_ARRAY) {
                readFlat(p, into);
            } else if (t == null) {
                throw new InvalidInputException("malformed JSON: unexpected end of input in an array");
            } else {
                into.add(p);
            }
        }
    }

    /** Nested numeric arrays ("instances") as one tensor, shape taken from the nesting. */
    public static Tensor fromNested(Object nested, DataType type) {
        List<Long> shape = new ArrayList<>();
        Object o = nested;
        while (o instanceof List<?> l) {
            shape.add((long) l.size());
            o = l.isEmpty() ? null : l.get(0);
        }
        Numbers data = new Numbers();
        flatten(nested, data, 0, shape);
        long[] s = shape.stream().mapToLong(Long::longValue).toArray();
        return toTensor("instances", type, s, data);
    }

    private static void flatten(Object o, Numbers into, int depth, List<Long> shape) {
        if (o instanceof List<?> l) {
            if (depth >= shape.size() || l.size() != shape.get(depth)) {
                throw new InvalidInputException("\"instances\" is ragged: every row must have the same length");
            }
            for (Object x : l) {
                flatten(x, into, depth + 1, shape);
            }
        } else if (o instanceof Number n) {
            expect(depth == shape.size(), "\"instances\" is ragged: numbers and arrays are mixed at one level");
            into.add(n.doubleValue());
        } else if (o instanceof Boolean b) {
            into.add(b ? 1 : 0);
        } else {
            throw new InvalidInputException("\"instances\" must hold numbers, found " + o);
        }
    }

    static Tensor toTensor(String name, DataType type, long[] shape, Numbers data) {
        long count = Tensor.elementCount(checkedShape(name, shape));
        if (count != data.size) {
            throw countMismatch(name, shape, count, data.size);
        }
        Tensor t = Tensor.allocate(type, shape);
        ByteBuffer b = t.mutableData();
        double[] v = data.values;
        for (int i = 0; i < data.size; i++) {
            store(name, b, type, i, v[i], data.longs != null ? data.longs[i] : (long) v[i]);
        }
        return t;
    }

    private static InvalidInputException countMismatch(String name, long[] shape, long count, Object values) {
        return new InvalidInputException("input '" + name + "' has shape " + Arrays.toString(shape) + " ("
                + count + " values) but " + values + " values in \"data\"");
    }

    /** Element {@code i} of a tensor: {@code exact} is the value as a long where it was a JSON integer. */
    private static void store(String name, ByteBuffer b, DataType type, int i, double v, long exact) {
        switch (type) {
            case FP32 -> b.putFloat(i * 4, (float) v);
            case FP64 -> b.putDouble(i * 8, v);
            case INT8 -> b.put(i, (byte) checkRange(name, v, -128, 127));
            case UINT8 -> b.put(i, (byte) checkRange(name, v, 0, 255));
            case BOOL -> b.put(i, (byte) (v != 0 ? 1 : 0));
            case INT16 -> b.putShort(i * 2, (short) checkRange(name, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> b.putShort(i * 2, (short) checkRange(name, v, 0, 65535));
            case INT32 -> b.putInt(i * 4, (int) checkRange(name, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> b.putInt(i * 4, (int) checkRange(name, v, 0, 4294967295L));
            case INT64, UINT64 -> b.putLong(i * 8, exact);
            case FP16 -> b.putShort(i * 2, Half.fromFloat((float) v));
            default -> throw new InvalidInputException("datatype " + type + " is not supported");
        }
    }

    private static long checkRange(String name, double v, long min, long max) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw new InvalidInputException("input '" + name + "' holds " + v + ", outside the datatype's range ["
                    + min + ", " + max + "] or not a whole number");
        }
        return (long) v;
    }

    /** Writes an OIP inference response. */
    public static byte[] inferResponse(String modelName, String modelVersion, String id, Map<String, Tensor> outputs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + outputs.size() * 1024);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            if (modelVersion != null) {
                g.writeStringField("model_version", modelVersion);
            }
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeFieldName("outputs");
            writeOutputs(g, outputs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static void writeOutputs(JsonGenerator g, Map<String, Tensor> outputs) throws IOException {
        g.writeStartArray();
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor t = e.getValue();
            g.writeStartObject();
            g.writeStringField("name", e.getKey());
            g.writeStringField("datatype", t.dataType().name());
            g.writeFieldName("shape");
            g.writeArray(t.shape(), 0, t.shape().length);
            g.writeFieldName("data");
            writeFlat(g, t);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeFlat(JsonGenerator g, Tensor t) throws IOException {
        g.writeStartArray();
        writeRange(g, t, 0, (int) t.elementCount());
        g.writeEndArray();
    }

    /** Writes the tensor as nested arrays following its shape. */
    static void writeNested(JsonGenerator g, Tensor t) throws IOException {
        long[] shape = t.shape();
        if (shape.length == 0) {
            writeRange(g, t, 0, 1);
            return;
        }
        writeNested(g, t, shape, 0, 0);
    }

    private static int writeNested(JsonGenerator g, Tensor t, long[] shape, int dim, int offset) throws IOException {
        g.writeStartArray();
        if (dim == shape.length - 1) {
            writeRange(g, t, offset, (int) shape[dim]);
            offset += (int) shape[dim];
        } else {
            for (long i = 0; i < shape[dim]; i++) {
                offset = writeNested(g, t, shape, dim + 1, offset);
            }
        }
        g.writeEndArray();
        return offset;
    }

    private static void writeRange(JsonGenerator g, Tensor t, int from, int count) throws IOException {
        ByteBuffer b = t.data();
        for (int i = from; i < from + count; i++) {
            switch (t.dataType()) {
                case FP32 -> writeFloat(g, b.getFloat(i * 4));
                case FP64 -> writeDouble(g, b.getDouble(i * 8));
                case FP16 -> writeFloat(g, (float) t.toDoubles()[i]);
                case INT8 -> g.writeNumber(b.get(i));
                case UINT8 -> g.writeNumber(b.get(i) & 0xff);
                case BOOL -> g.writeBoolean(b.get(i) != 0);
                case INT16 -> g.writeNumber(b.getShort(i * 2));
                case UINT16 -> g.writeNumber(b.getShort(i * 2) & 0xffff);
                case INT32 -> g.writeNumber(b.getInt(i * 4));
                case UINT32 -> g.writeNumber(b.getInt(i * 4) & 0xffffffffL);
                case INT64 -> g.writeNumber(b.getLong(i * 8));
                case UINT64 -> g.writeNumber(Long.toUnsignedString(b.getLong(i * 8)));
                default -> throw new IllegalStateException("cannot write " + t.dataType());
            }
        }
    }

    /** JSON has no NaN or infinity; they are written as strings, as Triton and KServe do. */
    private static void writeFloat(JsonGenerator g, float f) throws IOException {
        if (Float.isFinite(f)) {
            g.writeNumber(f);
        } else {
            g.writeString(Float.toString(f));
        }
    }

    private static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isFinite(d)) {
            g.writeNumber(d);
        } else {
            g.writeString(Double.toString(d));
        }
    }

    private static void expect(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }

    /** Where the numbers of a "data" array go, one JSON value at a time. */
    private interface NumberSink {
        void add(JsonParser p) throws IOException;
    }

    /** A JSON value as a double: numbers, booleans (1/0), and "NaN"/"Infinity"/"-Infinity" strings. */
    private static double value(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE ? 1 : 0;
        }
        if (t == JsonToken.VALUE_STRING && isSpecial(p.getText())) {
            return Double.parseDouble(p.getText());
        }
        throw new InvalidInputException("tensor data must be numbers or booleans, found " + t
                + (t == JsonToken.VALUE_STRING ? " \"" + p.getText() + "\"" : ""));
    }

    private static boolean isSpecial(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity");
    }

    /** Numbers written straight into a tensor whose type and shape are already known. */
    private static final class TensorFill implements NumberSink {
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
            this.tensor = Tensor.allocate(type, shape);
            this.buffer = tensor.mutableData();
        }

        @Override
        public void add(JsonParser p) throws IOException {
            if (size == count) {
                throw countMismatch(name, shape, count, count + 1 + " or more");
            }
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT && (type == DataType.INT64 || type == DataType.UINT64)) {
                long l = p.getLongValue();
                store(name, buffer, type, (int) size++, l, l);
            } else {
                double v = value(p, t);
                store(name, buffer, type, (int) size++, v, (long) v);
            }
        }

        Tensor finish() {
            if (size != count) {
                throw countMismatch(name, shape, count, size);
            }
            return tensor;
        }
    }

    /** A growable list of numbers; exact longs are kept too so INT64 values above 2^53 survive. */
    static final class Numbers implements NumberSink {
        double[] values = new double[64];
        long[] longs;
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

        private void ensureLongs() {
            if (longs.length < values.length) {
                longs = Arrays.copyOf(longs, values.length);
            }
        }

        long[] toLongs() {
            long[] out = new long[size];
            for (int i = 0; i < size; i++) {
                if (values[i] != Math.rint(values[i])) {
                    throw new InvalidInputException("\"shape\" must hold whole numbers");
                }
                out[i] = (long) values[i];
            }
            return out;
        }
    }
}
