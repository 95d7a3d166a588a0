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
 * it, no key twice, no input twice, no ragged arrays, every value within its datatype's range. With the
 * binary tensor data extension the JSON is only the head of the body (its length comes from
 * Inference-Header-Content-Length) and inputs carrying {@code parameters.binary_data_size} take their
 * bytes, in order, from the tail that follows it.
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

    /** An output the request names, and whether it wants it in the binary tail. */
    public record RequestedOutput(String name, boolean binary) {
    }

    /**
     * A parsed inference request.
     *
     * @param id               the client's id, or null
     * @param outputs          the outputs asked for, in order (empty = all)
     * @param binaryDataOutput request parameter binary_data_output: the default for outputs not named
     */
    public record InferRequest(String id, Map<String, Tensor> inputs, List<RequestedOutput> outputs,
                               boolean binaryDataOutput, Map<String, Object> answerParameters) {
        public InferRequest(String id, Map<String, Tensor> inputs, List<RequestedOutput> outputs,
                            boolean binaryDataOutput) {
            this(id, inputs, outputs, binaryDataOutput, Map.of());
        }

        public List<String> outputNames() {
            return outputs.stream().map(RequestedOutput::name).toList();
        }
    }

    /** A whole-JSON request (no binary tail). */
    public static InferRequest parseInferRequest(byte[] body) {
        return parseInferRequest(body, body.length, null);
    }

    /**
     * Parses {@code body[0, jsonLength)} as the request; binary inputs are slices of the rest.
     *
     * @param base64Input the input whose BYTES strings in JSON are base64 (the model's image input:
     *                    encoded images cannot travel as JSON text), or null
     */
    public static InferRequest parseInferRequest(byte[] body, int jsonLength, String base64Input) {
        BinaryTensors.Tail tail = new BinaryTensors.Tail(body, jsonLength);
        try (JsonParser p = JSON.createParser(body, 0, jsonLength)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "the body must be a JSON object with \"inputs\"");
            String id = null;
            Map<String, Tensor> inputs = null;
            List<RequestedOutput> outputs = new ArrayList<>();
            boolean binaryDataOutput = false;
            Map<String, Object> answer = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> id = idOf(p, t);
                    case "inputs" -> inputs = parseInputs(p, new TensorInput.Source(body, jsonLength, tail, base64Input));
                    case "outputs" -> parseOutputs(p, t, outputs);
                    case "parameters" -> binaryDataOutput = parseParameters(p, t, answer);
                    default -> p.skipChildren();
                }
            }
            expectEnd(p);
            expect(inputs != null, "the request has no \"inputs\" array");
            tail.expectConsumed();
            return new InferRequest(id, inputs, outputs, binaryDataOutput, answer);
        } catch (IOException e) {
            throw ServingException.badInput("malformed JSON: " + Messages.firstLine(e.getMessage()));
        }
    }

    /** The request's {@code id}: a string (a number is taken as its text); an object or array is refused. */
    private static String idOf(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            throw ServingException.badInput("\"id\" must be a string");
        }
        return t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
    }

    /** Nothing may follow the JSON value: trailing bytes mean the body is not what the client meant. */
    static void expectEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw ServingException.badInput("malformed JSON: trailing content after the JSON body"
                    + " (binary tensor data needs the Inference-Header-Content-Length header)");
        }
    }

    /** Request parameters the answer layer reads: postprocess (bool), conf, iou, max_det (numbers). */
    static final java.util.Set<String> ANSWER_PARAMETERS = java.util.Set.of("postprocess", "conf", "iou", "max_det");

    /**
     * The request's parameters: binary_data_output, and the post-processing ones (into {@code answer}:
     * postprocess as Boolean, the others as their JSON scalar's text, checked by the answer layer).
     */
    private static boolean parseParameters(JsonParser p, JsonToken t, Map<String, Object> answer) throws IOException {
        expect(t == JsonToken.START_OBJECT, "\"parameters\" must be an object");
        boolean binary = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (key.equals("binary_data_output")) {
                binary = bool(v, "parameter binary_data_output");
            } else if (key.equals("postprocess")) {
                answer.put(key, bool(v, "parameter postprocess"));
            } else if (ANSWER_PARAMETERS.contains(key)) {
                expect(v.isScalarValue() && v != JsonToken.VALUE_NULL, "parameter " + key + " must be a number");
                answer.put(key, p.getText());
            } else {
                p.skipChildren();
            }
        }
        return binary;
    }

    private static void parseOutputs(JsonParser p, JsonToken t, List<RequestedOutput> outputs) throws IOException {
        expect(t == JsonToken.START_ARRAY, "\"outputs\" must be an array of {\"name\": ...}");
        for (JsonToken o = p.nextToken(); o != JsonToken.END_ARRAY; o = p.nextToken()) {
            expect(o == JsonToken.START_OBJECT, "\"outputs\" must be an array of {\"name\": ...}");
            String name = null;
            boolean binary = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("name")) {
                    expect(v == JsonToken.VALUE_STRING, "an output's \"name\" must be a string");
                    name = p.getText();
                } else if (f.equals("parameters")) {
                    binary = outputParameters(p, v, name);
                } else {
                    p.skipChildren();
                }
            }
            expect(name != null, "an entry of \"outputs\" has no \"name\"");
            outputs.add(new RequestedOutput(name, binary));
        }
    }

    /** binary_data (bool); classification and shared memory are extensions this server does not have. */
    private static boolean outputParameters(JsonParser p, JsonToken t, String name) throws IOException {
        expect(t == JsonToken.START_OBJECT, "an output's \"parameters\" must be an object");
        boolean binary = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            switch (key) {
                case "binary_data" -> binary = bool(v, "output parameter binary_data");
                case "classification" -> expect(v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == 0,
                        "output '" + name + "': the classification extension is not supported; request the raw output");
                case "shared_memory_region" -> throw ServingException.badInput("output '" + name
                        + "': shared memory is not supported; use binary_data");
                default -> p.skipChildren();
            }
        }
        return binary;
    }

    static boolean bool(JsonToken v, String what) {
        expect(v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE, what + " must be true or false");
        return v == JsonToken.VALUE_TRUE;
    }

    private static Map<String, Tensor> parseInputs(JsonParser p, TensorInput.Source source) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY, "\"inputs\" must be an array of tensors");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t == JsonToken.START_OBJECT, "\"inputs\" must be an array of tensor objects");
            TensorInput in = new TensorInput(source);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                in.read(p, p.currentName(), p.nextToken());
            }
            Tensor tensor = in.finish();
            if (out.putIfAbsent(in.name(), tensor) != null) {
                throw ServingException.badInput("input '" + in.name() + "' is given twice");
            }
        }
        return out;
    }

    static DataType dataType(String input, String datatype) {
        try {
            return DataType.fromName(datatype);
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("input '" + input + "': " + e.getMessage());
        }
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
