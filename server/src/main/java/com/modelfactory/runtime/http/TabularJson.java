package com.modelfactory.runtime.http;

import com.modelfactory.runtime.answer.TabularAnswers;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.RecordColumns;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.engine.Messages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON records for a tabular model (PMML, ONNX-ML) on /predict and TF Serving's :predict:
 * {"instances": [{"field": value, ...}, ...]} (or lists of values in the model's input order), or columns
 * {"inputs": {"field": [values...], ...}}; answered as one object per record ({@link TabularAnswers}).
 */
final class TabularJson {
    private TabularJson() {
    }

    /** The request's records as the model's columns; {@code rows[0]} says whether they came as "instances". */
    static Map<String, Tensor> read(byte[] body, Signature signature, boolean[] rows) {
        Object instances = null;
        Object inputs = null;
        try (JsonParser p = TensorJson.JSON.createParser(body)) {
            TensorJson.expect(p.nextToken() == JsonToken.START_OBJECT, EXPECTED);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "instances" -> instances = value(p);
                    case "inputs" -> inputs = value(p);
                    default -> p.skipChildren();
                }
            }
            TensorJson.expectEnd(p);
        } catch (IOException e) {
            throw ServingException.badInput("malformed JSON (" + Messages.firstLine(e.getMessage()) + "): " + EXPECTED);
        }
        if ((instances == null) == (inputs == null)) {
            throw ServingException.badInput("send one of \"instances\" (records) or \"inputs\" (columns); the model's "
                    + "fields are " + signature.inputs().stream().map(t -> t.name()).toList());
        }
        rows[0] = instances != null;
        if (instances instanceof List<?> records) {
            return RecordColumns.of(signature, records, true);
        }
        if (inputs instanceof Map<?, ?> columns) {
            @SuppressWarnings("unchecked")
            Map<String, ?> named = (Map<String, ?>) columns;
            return RecordColumns.of(signature, RecordColumns.fromColumns(named), true);
        }
        if (inputs instanceof List<?> records) {
            return RecordColumns.of(signature, records, true);
        }
        throw ServingException.badInput(rows[0] ? "\"instances\" must be a list of records"
                : "\"inputs\" must be an object of columns {field: [values], ...}");
    }

    private static final String EXPECTED = "expected {\"instances\": [{field: value, ...}, ...]} or "
            + "{\"inputs\": {field: [values], ...}}";

    /** The value at the parser's current token as plain Java: Map, List, Double or Long, String, Boolean, null. */
    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, value(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                yield list;
            }
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getDoubleValue()
                    : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> null;
        };
    }

    /** /predict's answer: {"model_name", "task": "tabular", "predictions": [one object per record]}. */
    static byte[] predict(ModelInfo info, Map<String, Tensor> outputs) {
        return render(info, outputs, true);
    }

    /** TF Serving's row answer: {"predictions": [one object per record]}. */
    static byte[] predictions(ModelInfo info, Map<String, Tensor> outputs) {
        return render(info, outputs, false);
    }

    private static byte[] render(ModelInfo info, Map<String, Tensor> outputs, boolean named) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (named) {
                g.writeStringField("model_name", info.name());
                g.writeStringField("task", "tabular");
            }
            g.writeArrayFieldStart("predictions");
            for (Map<String, Object> record : TabularAnswers.answer(info.task().tabular(), outputs)) {
                write(g, record);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v == null) {
            g.writeNull();
        } else {
            g.writeString(String.valueOf(v));
        }
    }
}
