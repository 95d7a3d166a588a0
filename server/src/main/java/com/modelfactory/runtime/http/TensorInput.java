package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One tensor of an OIP request's "inputs", its fields in whatever order the client sent them. Its values
 * are JSON {@code data} (numbers, booleans, or strings for BYTES) or, with the binary extension, a
 * section of the body's tail ({@code parameters.binary_data_size}), wrapped as the tensor without a copy.
 */
final class TensorInput {

    /**
     * What the inputs of one request share: the body, where its JSON ends, the binary tail, and the input
     * whose BYTES strings are base64.
     */
    record Source(byte[] body, int jsonLength, BinaryTensors.Tail tail, String base64Input) {
    }

    private final Source source;
    private String name;
    private String datatype;
    private long[] shape;
    private long binarySize = -1;
    private Tensor filled;
    /** Where "data" starts in the body when it came before the shape and datatype (read again at the end). */
    private long deferredData = -1;

    TensorInput(Source source) {
        this.source = source;
    }

    String name() {
        return name;
    }

    void read(JsonParser p, String field, JsonToken t) throws IOException {
        switch (field) {
            case "name" -> {
                TensorJson.expect(t == JsonToken.VALUE_STRING, "an input's \"name\" must be a string");
                name = p.getText();
            }
            case "datatype" -> {
                TensorJson.expect(t == JsonToken.VALUE_STRING, "an input's \"datatype\" must be a string");
                datatype = p.getText();
            }
            case "shape" -> {
                TensorJson.expect(t == JsonToken.START_ARRAY, "\"shape\" must be an array of integers");
                JsonNumbers.Numbers dims = new JsonNumbers.Numbers();
                JsonNumbers.readArray(p, dims, "\"shape\"");
                shape = dims.toLongs();
            }
            case "parameters" -> readParameters(p, t);
            case "data" -> readData(p, t);
            default -> p.skipChildren();
        }
    }

    private void readParameters(JsonParser p, JsonToken t) throws IOException {
        TensorJson.expect(t == JsonToken.START_OBJECT, "input '" + label() + "': \"parameters\" must be an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            switch (key) {
                case "binary_data_size" -> {
                    TensorJson.expect(v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 0, "input '" + label()
                            + "': binary_data_size must be a whole number of bytes >= 0");
                    binarySize = p.getLongValue();
                }
                case "shared_memory_region" -> throw ServingException.badInput("input '" + label()
                        + "': shared memory is not supported; send the tensor as \"data\" or binary_data_size");
                default -> p.skipChildren();
            }
        }
    }

    /**
     * Clients send name, shape, datatype, then data: the values then go straight into the tensor. In any
     * other order the data is skipped and read again once the shape is known; so it is when the shape
     * claims more values than the JSON could hold (every value takes two bytes, "0,"), so a small request
     * never allocates a huge tensor.
     */
    private void readData(JsonParser p, JsonToken t) throws IOException {
        TensorJson.expect(filled == null && deferredData < 0, "input '" + label() + "' has \"data\" twice");
        if (datatype == null || shape == null || !fits(TensorJson.checkedShape(label(), shape))) {
            deferredData = p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            return;
        }
        filled = fill(p, t, TensorJson.dataType(label(), datatype));
    }

    private boolean fits(long[] s) {
        return Tensor.elementCount(s) <= (source.jsonLength() + 1L) / 2;
    }

    private Tensor fill(JsonParser p, JsonToken t, DataType type) throws IOException {
        if (type == DataType.BYTES) {
            JsonNumbers.BytesFill bytes = new JsonNumbers.BytesFill(label(), shape, label().equals(source.base64Input()));
            readValues(p, t, bytes);
            return bytes.finish();
        }
        JsonNumbers.TensorFill numbers = new JsonNumbers.TensorFill(label(), type, shape);
        readValues(p, t, numbers);
        return numbers.finish();
    }

    private void readValues(JsonParser p, JsonToken t, JsonNumbers.NumberSink sink) throws IOException {
        if (t == JsonToken.START_ARRAY) {
            JsonNumbers.readArray(p, sink, "input '" + label() + "' data");
        } else {
            sink.add(p);
        }
    }

    Tensor finish() throws IOException {
        TensorJson.expect(name != null, "an input has no \"name\"");
        TensorJson.expect(datatype != null, "input '" + name + "' has no \"datatype\"");
        TensorJson.expect(shape != null, "input '" + name + "' has no \"shape\"");
        boolean hasData = filled != null || deferredData >= 0;
        if (hasData == (binarySize >= 0)) {
            throw ServingException.badInput("input '" + name + "' must set exactly one of \"data\" and "
                    + "\"binary_data_size\" in \"parameters\"");
        }
        DataType type = TensorJson.dataType(name, datatype);
        TensorJson.checkedShape(name, shape);
        if (binarySize >= 0) {
            return binary(type);
        }
        return filled != null ? filled : readDeferred(type);
    }

    /** The input's section of the binary tail, wrapped as it is. */
    private Tensor binary(DataType type) {
        int at = source.tail().take(name, binarySize);
        ByteBuffer bytes = ByteBuffer.wrap(source.body(), at, (int) binarySize);
        if (type != DataType.BYTES && type.byteSize(shape) != binarySize) {
            throw ServingException.badInput("input '" + name + "' has binary_data_size " + binarySize + " but shape "
                    + Arrays.toString(shape) + " of " + type + " takes " + type.byteSize(shape) + " bytes");
        }
        try {
            return new Tensor(type, shape, bytes);
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("input '" + name + "': " + e.getMessage());
        }
    }

    private Tensor readDeferred(DataType type) throws IOException {
        int at = (int) deferredData;
        try (JsonParser p = TensorJson.JSON.createParser(source.body(), at, source.jsonLength() - at)) {
            JsonToken t = p.nextToken();
            if (!fits(shape)) {
                long[] count = {0};
                readValues(p, t, q -> {
                    count[0]++;
                    q.skipChildren();
                });
                throw JsonNumbers.countMismatch(name, shape, Tensor.elementCount(shape), count[0]);
            }
            return fill(p, t, type);
        }
    }

    private String label() {
        return name != null ? name : "?";
    }
}
