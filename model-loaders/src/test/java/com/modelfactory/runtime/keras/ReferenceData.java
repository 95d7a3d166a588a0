package com.modelfactory.runtime.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixture's reference.json: named input tensors and the outputs the framework itself computed
 * ({"inputs": {name: {"datatype", "shape", "data"}}, "outputs": {...}}).
 */
record ReferenceData(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {

    static ReferenceData read(Path file) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        return new ReferenceData(tensors(root.getAsJsonObject("inputs")), tensors(root.getAsJsonObject("outputs")));
    }

    private static Map<String, Tensor> tensors(JsonObject named) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : named.entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            JsonArray shapeJson = t.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
            }
            JsonArray data = t.getAsJsonArray("data");
            DataType type = DataType.fromName(t.get("datatype").getAsString());
            Tensor tensor = Tensor.allocate(type, shape);
            var buf = tensor.mutableData();
            for (int i = 0; i < data.size(); i++) {
                switch (type) {
                    case FP32 -> buf.putFloat(i * 4, data.get(i).getAsFloat());
                    case INT32 -> buf.putInt(i * 4, data.get(i).getAsInt());
                    case INT64 -> buf.putLong(i * 8, data.get(i).getAsLong());
                    default -> throw new IllegalArgumentException("reference datatype " + type);
                }
            }
            out.put(e.getKey(), tensor);
        }
        return out;
    }

    /** The first n rows of every input and output (batch n of the same data). */
    ReferenceData firstRows(int n) {
        return new ReferenceData(rows(inputs, n), rows(outputs, n));
    }

    private static Map<String, Tensor> rows(Map<String, Tensor> tensors, int n) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = t.shape();
            long rowBytes = t.data().remaining() / shape[0];
            shape[0] = n;
            Tensor r = Tensor.allocate(t.dataType(), shape);
            var src = t.data();
            src.limit((int) (rowBytes * n));
            r.mutableData().put(src);
            out.put(e.getKey(), r);
        }
        return out;
    }

    long batch() {
        return inputs.values().iterator().next().shape()[0];
    }

    /** Every expected output is present with the same shape and values within tolerance; returns the max difference. */
    static double assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual, double tolerance, String what) {
        double worst = 0;
        for (var e : expected.entrySet()) {
            Tensor got = actual.get(e.getKey());
            assertTrue(got != null, what + ": no output '" + e.getKey() + "' (outputs: " + actual.keySet() + ")");
            assertArrayEquals(e.getValue().shape(), got.shape(), what + ": shape of output '" + e.getKey() + "'");
            double[] want = e.getValue().toDoubles();
            double[] have = got.toDoubles();
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(want[i] - have[i]));
            }
            assertEquals(want.length, have.length);
            if (worst > tolerance) {
                throw new AssertionError(what + ": output '" + e.getKey() + "' differs from the framework by " + worst
                        + " (> " + tolerance + "); expected " + abbreviate(want) + " got " + abbreviate(have));
            }
        }
        return worst;
    }

    private static String abbreviate(double[] v) {
        return Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 8))) + (v.length > 8 ? "..." : "");
    }
}
