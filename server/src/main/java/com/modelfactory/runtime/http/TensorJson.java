package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open Inference Protocol inference requests from JSON, strictly: one JSON object and nothing after
 * it, no key twice, no input twice, no ragged arrays, every value within its datatype's range.
 */
public final class TensorJson {
    // Fast double parsing and writing (FastDoubleParser, Schubfach): a tensor is mostly numbers.
    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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
                    case "outputs" -> parseOutputs(p, t, outputs);
                    default -> p.skipChildren();
                }
            }
            expectEnd(p);
            expect(inputs != null, "the request has no \"inputs\" array");
            return new InferRequest(id, inputs, outputs);
        } catch (IOException e) {
            throw ServingException.badInput("malformed JSON: " + Messages.firstLine(e.getMessage()));
        }
    }

    /** Nothing may follow the JSON value: trailing bytes mean the body is not what the client meant. */
    static void expectEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw ServingException.badInput("malformed JSON: trailing content after the JSON body");
        }
    }

    private static void parseOutputs(JsonParser p, JsonToken t, List<String> outputs) throws IOException {
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

    private static Map<String, Tensor> parseInputs(JsonParser p, int bodyBytes) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY, "\"inputs\" must be an array of tensors");
        Map<String, Tensor> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            InputFields in = new InputFields();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                in.read(p, p.currentName(), p.nextToken(), bodyBytes);
            }
            Tensor tensor = in.finish();
            if (out.putIfAbsent(in.name, tensor) != null) {
                throw ServingException.badInput("input '" + in.name + "' is given twice");
            }
        }
        return out;
    }

    /** The fields of one input tensor, in whatever order the client sent them. */
    private static final class InputFields {
        String name;
        String datatype;
        long[] shape;
        JsonNumbers.Numbers staged;
        Tensor filled;

        void read(JsonParser p, String field, JsonToken t, int bodyBytes) throws IOException {
            switch (field) {
                case "name" -> name = p.getValueAsString();
                case "datatype" -> datatype = p.getValueAsString();
                case "shape" -> {
                    expect(t == JsonToken.START_ARRAY, "\"shape\" must be an array of integers");
                    JsonNumbers.Numbers dims = new JsonNumbers.Numbers();
                    JsonNumbers.readArray(p, dims, "\"shape\"");
                    shape = dims.toLongs();
                }
                case "data" -> readData(p, t, bodyBytes);
                default -> p.skipChildren();
            }
        }

        /**
         * Clients send name, shape, datatype, then data: the numbers then go straight into the tensor. In
         * any other order they are staged and copied once the shape is known; so are they when the shape
         * claims more values than the body could hold (every value takes two bytes, "0,"), so a small
         * request never allocates a huge tensor.
         */
        private void readData(JsonParser p, JsonToken t, int bodyBytes) throws IOException {
            String label = name != null ? name : "?";
            JsonNumbers.TensorFill direct = null;
            if (datatype != null && shape != null
                    && Tensor.elementCount(checkedShape(label, shape)) <= (bodyBytes + 1L) / 2) {
                direct = new JsonNumbers.TensorFill(label, dataType(label, datatype), shape);
            }
            JsonNumbers.NumberSink sink = direct != null ? direct : (staged = new JsonNumbers.Numbers());
            if (t == JsonToken.START_ARRAY) {
                JsonNumbers.readArray(p, sink, "input '" + label + "' data");
            } else {
                sink.add(p);
            }
            if (direct != null) {
                filled = direct.finish();
            }
        }

        Tensor finish() {
            expect(name != null, "an input has no \"name\"");
            expect(datatype != null, "input '" + name + "' has no \"datatype\"");
            expect(shape != null, "input '" + name + "' has no \"shape\"");
            expect(filled != null || staged != null, "input '" + name + "' has no \"data\"");
            return filled != null ? filled : staged.toTensor(name, dataType(name, datatype), shape);
        }
    }

    static DataType dataType(String input, String datatype) {
        DataType type;
        try {
            type = DataType.fromName(datatype);
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("input '" + input + "': " + e.getMessage());
        }
        expect(type != DataType.BYTES, "input '" + input + "': BYTES tensors are not supported");
        return type;
    }

    static long[] checkedShape(String input, long[] shape) {
        try {
            Tensor.elementCount(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ServingException.badInput("input '" + input + "' has an invalid shape " + Arrays.toString(shape));
        }
        return shape;
    }

    static void expect(boolean ok, String message) {
        if (!ok) {
            throw ServingException.badInput(message);
        }
    }
}
