package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInputs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TF Serving's columnar request format: {"inputs": {name: tensor, ...}}, or for a model with one input
 * {"inputs": tensor}. A tensor is nested numbers (booleans for BOOL), strings or {"b64": "..."} values
 * for BYTES; {"b64"} values for the image input are encoded images, one per batch item.
 *
 * <p>Read like {@link JsonRows}, in two streaming passes over the body: the first checks every tensor's
 * structure and learns its shape without keeping a value, the second writes the values straight into
 * tensors of that shape. Memory is the body plus the tensors.
 */
final class JsonColumns {
    private final ModelInputs model;
    /** Where the "inputs" value starts in the body: parsers report offsets from where they started. */
    private final long base;

    private JsonColumns(ModelInputs model, long base) {
        this.model = model;
        this.base = base;
    }

    /** One input's tensor: its shape from the first pass, and what kind of values it holds. */
    private static final class Column {
        final TensorSpec spec;
        long[] shape;
        boolean strings;
        long valueOffset;

        Column(TensorSpec spec) {
            this.spec = spec;
        }
    }

    /** Reads the value at {@code offset} of {@code body} (the "inputs" value) into the model's inputs. */
    static Map<String, Tensor> read(byte[] body, long offset, ModelInputs model) throws IOException {
        JsonColumns reader = new JsonColumns(model, offset);
        Map<String, Column> columns = reader.structure(body);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Column c : columns.values()) {
            out.put(c.spec.name(), reader.fill(body, c));
        }
        return out;
    }

    private Map<String, Column> structure(byte[] body) throws IOException {
        Map<String, Column> columns = new LinkedHashMap<>();
        try (JsonParser p = parser(body, base)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT && !singleB64(body)) {
                for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                    TensorSpec spec = model.signature().input(p.currentName());
                    if (spec == null) {
                        throw ServingException.badInput("unknown input '" + p.currentName() + "' in \"inputs\"; the "
                                + "model's inputs are " + model.signature().inputs().stream().map(TensorSpec::name).toList());
                    }
                    Column c = new Column(spec);
                    columns.put(spec.name(), c);
                    measure(p, p.nextToken(), c);
                }
            } else {
                Column c = new Column(onlyInput());
                columns.put(c.spec.name(), c);
                measure(p, t, c);
            }
        }
        for (TensorSpec spec : model.signature().inputs()) {
            if (!columns.containsKey(spec.name())) {
                throw ServingException.badInput("\"inputs\" has no value for input '" + spec.name() + "'");
            }
        }
        return columns;
    }

    /** {"inputs": {"b64": "..."}} is one encoded value, unless the model has an input named "b64". */
    private boolean singleB64(byte[] body) throws IOException {
        if (model.signature().input("b64") != null) {
            return false;
        }
        try (JsonParser p = parser(body, base)) {
            p.nextToken();
            return p.nextToken() == JsonToken.FIELD_NAME && p.currentName().equals("b64");
        }
    }

    private TensorSpec onlyInput() {
        List<TensorSpec> inputs = model.signature().inputs();
        if (inputs.size() != 1) {
            throw ServingException.badInput("the model has " + inputs.size() + " inputs; send \"inputs\" as an object "
                    + "keyed by input name " + inputs.stream().map(TensorSpec::name).toList());
        }
        return inputs.get(0);
    }

    /** First pass over one tensor: its shape, and whether it holds strings. */
    private void measure(JsonParser p, JsonToken t, Column c) throws IOException {
        c.valueOffset = base + p.currentTokenLocation().getByteOffset();
        boolean[] kinds = new boolean[2]; // [0] strings or b64, [1] numbers
        JsonNumbers.NumberSink sink = q -> {
            JsonToken v = q.currentToken();
            if (v == JsonToken.START_OBJECT) {
                b64(q, c.spec.name(), false);
                kinds[0] = true;
            } else if (v == JsonToken.VALUE_STRING && !isBytes(c)) {
                try {
                    JsonNumbers.value(q, v); // "NaN", "Infinity" for floats; anything else is refused
                } catch (ServingException e) {
                    throw ServingException.badInput("input '" + c.spec.name() + "' (" + c.spec.dataType() + "): "
                            + e.getMessage());
                }
                kinds[1] = true;
            } else if (v == JsonToken.VALUE_STRING) {
                kinds[0] = true;
            } else {
                JsonNumbers.value(q, v);
                kinds[1] = true;
            }
        };
        if (t == JsonToken.START_ARRAY) {
            c.shape = JsonNumbers.readArray(p, sink, "input '" + c.spec.name() + "'");
        } else {
            sink.add(p);
            c.shape = new long[0];
        }
        if (kinds[0] && kinds[1]) {
            throw ServingException.badInput("input '" + c.spec.name() + "' mixes numbers and strings");
        }
        c.strings = kinds[0];
        if (c.strings && !isBytes(c)) {
            throw ServingException.badInput("input '" + c.spec.name() + "' takes numbers ("
                    + c.spec.dataType() + "), not strings or {\"b64\": ...}"
                    + (model.takesImages() ? "; images go to '" + model.imageInput() + "'" : ""));
        }
        if (!c.strings && c.spec.dataType() == DataType.BYTES) {
            throw ServingException.badInput("input '" + c.spec.name() + "' is BYTES: give strings or {\"b64\": ...}");
        }
    }

    /** Strings become BYTES elements: for BYTES inputs, and as encoded images for the image input. */
    private boolean isBytes(Column c) {
        return c.spec.dataType() == DataType.BYTES || c.spec.name().equals(model.imageInput());
    }

    /** Second pass: the values straight into a tensor of the measured shape. */
    private Tensor fill(byte[] body, Column c) throws IOException {
        try (JsonParser p = parser(body, c.valueOffset)) {
            JsonToken t = p.nextToken();
            String name = c.spec.name();
            if (!c.strings) {
                JsonNumbers.TensorFill fill = new JsonNumbers.TensorFill(name, c.spec.dataType(),
                        TensorJson.checkedShape(name, c.shape));
                values(p, t, fill, name);
                return fill.finish();
            }
            List<byte[]> elements = new ArrayList<>();
            values(p, t, q -> elements.add(q.currentToken() == JsonToken.START_OBJECT ? b64(q, name, true)
                    : q.getText().getBytes(java.nio.charset.StandardCharsets.UTF_8)), name);
            // A single encoded image for the image input is a batch of one.
            long[] shape = c.shape.length == 0 && name.equals(model.imageInput()) ? new long[] {1} : c.shape;
            return Tensor.ofBytes(shape, elements);
        }
    }

    private static void values(JsonParser p, JsonToken t, JsonNumbers.NumberSink sink, String name) throws IOException {
        if (t == JsonToken.START_ARRAY) {
            JsonNumbers.readArray(p, sink, "input '" + name + "'");
        } else {
            sink.add(p);
        }
    }

    /** The bytes of {"b64": "..."} (decoded only when {@code decode}); the parser is at its START_OBJECT. */
    private static byte[] b64(JsonParser p, String input, boolean decode) throws IOException {
        if (p.nextToken() != JsonToken.FIELD_NAME || !p.currentName().equals("b64")
                || p.nextToken() != JsonToken.VALUE_STRING) {
            throw ServingException.badInput("input '" + input + "': an object value must be {\"b64\": \"<base64>\"}");
        }
        byte[] bytes = decode ? JsonRows.Base64Text.decode(p.getText(), "input '" + input + "' b64") : null;
        if (p.nextToken() != JsonToken.END_OBJECT) {
            throw ServingException.badInput("input '" + input + "': {\"b64\": ...} must have no other field");
        }
        return bytes;
    }

    private static JsonParser parser(byte[] body, long offset) throws IOException {
        return TensorJson.JSON.createParser(body, (int) offset, body.length - (int) offset);
    }
}
