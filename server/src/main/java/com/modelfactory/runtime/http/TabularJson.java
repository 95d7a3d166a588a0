package com.modelfactory.runtime.http;

import com.modelfactory.runtime.answer.TabularAnswers;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.RecordColumns;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
        JsonObject request;
        try {
            request = new JsonObject(Buffer.buffer(body));
        } catch (DecodeException | ClassCastException e) {
            throw ServingException.badInput("malformed JSON: expected {\"instances\": [{field: value, ...}, ...]} or "
                    + "{\"inputs\": {field: [values], ...}}");
        }
        Object instances = request.getValue("instances");
        Object inputs = request.getValue("inputs");
        if ((instances == null) == (inputs == null)) {
            throw ServingException.badInput("send one of \"instances\" (records) or \"inputs\" (columns); the model's "
                    + "fields are " + signature.inputs().stream().map(t -> t.name()).toList());
        }
        rows[0] = instances != null;
        if (instances instanceof JsonArray records) {
            return RecordColumns.of(signature, plain(records), true);
        }
        if (inputs instanceof JsonObject columns) {
            Map<String, Object> map = new LinkedHashMap<>();
            columns.forEach(e -> map.put(e.getKey(), plainValue(e.getValue())));
            return RecordColumns.of(signature, RecordColumns.fromColumns(map), true);
        }
        if (inputs instanceof JsonArray records) {
            return RecordColumns.of(signature, plain(records), true);
        }
        throw ServingException.badInput(rows[0] ? "\"instances\" must be a list of records"
                : "\"inputs\" must be an object of columns {field: [values], ...}");
    }

    private static List<Object> plain(JsonArray a) {
        List<Object> out = new ArrayList<>(a.size());
        for (Object v : a) {
            out.add(plainValue(v));
        }
        return out;
    }

    private static Object plainValue(Object v) {
        if (v instanceof JsonObject o) {
            return o.getMap();
        }
        if (v instanceof JsonArray a) {
            return plain(a);
        }
        return v;
    }

    /** /predict's answer: {"model_name", "task": "tabular", "predictions": [one object per record]}. */
    static byte[] predict(ModelInfo info, Map<String, Tensor> outputs) {
        return new JsonObject().put("model_name", info.name()).put("task", "tabular")
                .put("predictions", answers(info, outputs)).toBuffer().getBytes();
    }

    /** TF Serving's row answer: {"predictions": [one object per record]}. */
    static byte[] predictions(ModelInfo info, Map<String, Tensor> outputs) {
        return new JsonObject().put("predictions", answers(info, outputs)).toBuffer().getBytes();
    }

    private static JsonArray answers(ModelInfo info, Map<String, Tensor> outputs) {
        JsonArray out = new JsonArray();
        for (Map<String, Object> record : TabularAnswers.answer(info.task().tabular(), outputs)) {
            out.add(new JsonObject(record));
        }
        return out;
    }
}
