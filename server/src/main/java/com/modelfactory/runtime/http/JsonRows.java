package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInputs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Row-format request values ("instances" of the legacy /predict and of TF Serving): one entry per
 * batch item, either the value of the model's only input, or an object keyed by input name. A value is
 * nested numbers, or {"b64": "..."} holding an encoded image (or, for a BYTES input, one element; plain
 * strings are UTF-8 elements).
 *
 * <p>Read in two streaming passes over the body: the first checks the structure and learns every
 * input's shape without keeping a number, the second writes the numbers straight into tensors of that
 * shape. Memory is the body plus the tensors: a 61 MiB body of short numbers staged as doubles took
 * RSS from 320 MB to 1.5 GB.
 */
final class JsonRows {
    private final ModelInputs model;
    private final Map<String, Column> columns;
    private final boolean filling;
    private int rows;

    private JsonRows(ModelInputs model, Map<String, Column> columns, boolean filling) {
        this.model = model;
        this.columns = columns;
        this.filling = filling;
    }

    /** One input's values, row by row. */
    private static final class Column {
        final String name;
        final List<byte[]> encoded = new ArrayList<>();
        long[] rowShape;
        int lastRow;
        int count;
        int images;
        JsonNumbers.TensorFill fill;

        Column(String name) {
            this.name = name;
        }
    }

    /** Discards the numbers of the first pass: it only learns their structure. */
    private static final JsonNumbers.NumberSink COUNT_ONLY = p -> JsonNumbers.value(p, p.currentToken());

    /**
     * Reads the array at {@code offset} of {@code body} (the parser that found it is at its START_ARRAY)
     * into the model's input tensors.
     */
    static Map<String, Tensor> read(byte[] body, long offset, ModelInputs model, String what) throws IOException {
        Map<String, Column> columns = new LinkedHashMap<>();
        JsonRows structure = new JsonRows(model, columns, false);
        structure.pass(body, offset, what);
        if (structure.rows == 0) {
            throw ServingException.badInput(what + " is empty");
        }
        structure.prepare(what);
        JsonRows values = new JsonRows(model, columns, true);
        values.pass(body, offset, what);
        return structure.tensors();
    }

    private void pass(byte[] body, long offset, String what) throws IOException {
        try (JsonParser p = TensorJson.JSON.createParser(body, (int) offset, body.length - (int) offset)) {
            TensorJson.expect(p.nextToken() == JsonToken.START_ARRAY, what + " must be an array");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    throw ServingException.badInput("malformed JSON: unexpected end of input in " + what);
                }
                row(p, t, what);
            }
        }
    }

    private void row(JsonParser p, JsonToken t, String what) throws IOException {
        rows++;
        if (t == JsonToken.START_OBJECT) {
            JsonToken f = p.nextToken();
            if (f == JsonToken.FIELD_NAME && p.currentName().equals("b64") && model.signature().input("b64") == null) {
                value(column(onlyInput(what)), p, p.nextToken(), true);
                return;
            }
            for (; f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                String name = p.currentName();
                if (model.signature().input(name) == null) {
                    throw ServingException.badInput("unknown input '" + name + "' in " + what + "; the model's inputs are "
                            + names(model.signature()));
                }
                value(column(name), p, p.nextToken(), false);
            }
            return;
        }
        value(column(onlyInput(what)), p, t, false);
    }

    private String onlyInput(String what) {
        List<TensorSpec> inputs = model.signature().inputs();
        if (inputs.size() != 1) {
            throw ServingException.badInput("the model has " + inputs.size() + " inputs; send " + what
                    + " as objects keyed by input name " + names(model.signature()));
        }
        return inputs.get(0).name();
    }

    private Column column(String name) {
        return columns.computeIfAbsent(name, Column::new);
    }

    /** One row's value for one input; {@code b64Open}: the parser is inside {"b64": ...}, at its value. */
    private void value(Column c, JsonParser p, JsonToken t, boolean b64Open) throws IOException {
        boolean text = t == JsonToken.VALUE_STRING && !b64Open && isBytes(c.name);
        if (b64Open || t == JsonToken.START_OBJECT || text) {
            byte[] image = text ? (filling ? p.getText().getBytes(java.nio.charset.StandardCharsets.UTF_8) : null)
                    : b64(p, b64Open ? t : null, c.name);
            if (filling) {
                c.encoded.add(image);
            } else {
                counted(c);
                c.images++;
            }
            return;
        }
        JsonNumbers.NumberSink sink = filling ? c.fill : COUNT_ONLY;
        long[] shape = t == JsonToken.START_ARRAY ? JsonNumbers.readArray(p, sink, "input '" + c.name + "'") : scalar(p, sink);
        if (filling) {
            return;
        }
        counted(c);
        if (c.rowShape == null) {
            c.rowShape = shape;
        } else if (!Arrays.equals(c.rowShape, shape)) {
            throw ServingException.badInput("input '" + c.name + "' has rows of different shapes "
                    + Arrays.toString(c.rowShape) + " and " + Arrays.toString(shape) + "; every instance must match");
        }
    }

    /** A BYTES input: its row values are strings or {"b64"}, one element per row. */
    private boolean isBytes(String input) {
        TensorSpec spec = model.signature().input(input);
        return spec != null && spec.dataType() == com.modelfactory.runtime.engine.DataType.BYTES;
    }

    private void counted(Column c) {
        if (c.lastRow == rows) {
            throw ServingException.badInput("input '" + c.name + "' is given twice in one instance");
        }
        c.lastRow = rows;
        c.count++;
    }

    private static long[] scalar(JsonParser p, JsonNumbers.NumberSink sink) throws IOException {
        sink.add(p);
        return new long[0];
    }

    /** The bytes of {"b64": "..."}; {@code valueToken} is set when the field name was already read. */
    private byte[] b64(JsonParser p, JsonToken valueToken, String input) throws IOException {
        JsonToken v = valueToken;
        if (v == null) {
            if (p.nextToken() != JsonToken.FIELD_NAME || !p.currentName().equals("b64")) {
                throw ServingException.badInput("input '" + input + "': an object value must be {\"b64\": \"...\"}");
            }
            v = p.nextToken();
        }
        if (v != JsonToken.VALUE_STRING) {
            throw ServingException.badInput("input '" + input + "': \"b64\" must be a base64 string");
        }
        byte[] bytes = filling ? Base64Text.decode(p.getText(), "input '" + input + "' b64") : null;
        if (p.nextToken() != JsonToken.END_OBJECT) {
            throw ServingException.badInput("input '" + input + "': {\"b64\": ...} must have no other field");
        }
        return bytes;
    }

    /** After the first pass: every input has a value in every row, and numeric ones get their tensor. */
    private void prepare(String what) {
        for (TensorSpec spec : model.signature().inputs()) {
            Column c = columns.get(spec.name());
            if (c == null || c.count != rows) {
                throw ServingException.badInput("every instance needs a value for input '" + spec.name() + "'");
            }
            if (c.images > 0) {
                checkImages(c, spec);
            } else {
                long[] shape = new long[c.rowShape.length + 1];
                shape[0] = rows;
                System.arraycopy(c.rowShape, 0, shape, 1, c.rowShape.length);
                c.fill = new JsonNumbers.TensorFill(spec.name(), TensorJson.dataType(spec.name(),
                        spec.dataType().name()), TensorJson.checkedShape(spec.name(), shape));
            }
        }
    }

    private void checkImages(Column c, TensorSpec spec) {
        if (c.rowShape != null) {
            throw ServingException.badInput("input '" + spec.name() + "' mixes numbers and {\"b64\": ...} values");
        }
        if (!spec.name().equals(model.imageInput()) && !isBytes(spec.name())) {
            throw ServingException.badInput("input '" + spec.name() + "' takes numbers, not {\"b64\": ...} "
                    + (model.takesImages() ? "(images go to '" + model.imageInput() + "')" : "(the model takes no images)"));
        }
    }

    private Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : model.signature().inputs()) {
            Column c = columns.get(spec.name());
            if (c.fill != null) {
                out.put(spec.name(), c.fill.finish());
            } else if (spec.name().equals(model.imageInput())) {
                out.put(spec.name(), model.images(c.encoded));
            } else {
                out.put(spec.name(), Tensor.ofBytes(new long[] {rows}, c.encoded));
            }
        }
        return out;
    }

    private static List<String> names(Signature s) {
        return s.inputs().stream().map(TensorSpec::name).toList();
    }

    /** Base64 as clients send it: standard or URL-safe alphabet, data: URL prefix and whitespace allowed. */
    static final class Base64Text {
        private Base64Text() {
        }

        static byte[] decode(String text, String what) {
            String s = text.replaceFirst("^data:[^,]*,", "").replaceAll("\\s", "");
            try {
                return (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
            } catch (IllegalArgumentException e) {
                throw ServingException.badInput(what + " is not valid base64: " + e.getMessage());
            }
        }
    }
}
