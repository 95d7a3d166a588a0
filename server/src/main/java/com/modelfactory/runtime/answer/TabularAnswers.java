package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tabular model's output columns as one answer per record: {@code label} (classification) or {@code value}
 * (regression), named after the predicted field when the model has no target (clustering); {@code
 * probabilities} by class label; then every other output field by the model's own name (PMML OutputFields:
 * node ids, reason codes, cluster affinities). Missing numbers are null.
 */
public final class TabularAnswers {
    private TabularAnswers() {
    }

    public static List<Map<String, Object>> answer(TabularSchema schema, Map<String, Tensor> outputs) {
        int n = records(outputs);
        List<Map<String, Object>> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            out.add(record(schema, outputs, r));
        }
        return out;
    }

    private static int records(Map<String, Tensor> outputs) {
        Tensor first = outputs.values().iterator().next();
        return first.shape().length == 0 ? 1 : (int) first.shape()[0];
    }

    private static Map<String, Object> record(TabularSchema schema, Map<String, Tensor> outputs, int r) {
        Map<String, Object> answer = new LinkedHashMap<>();
        Map<String, Object> probabilities = new LinkedHashMap<>();
        Map<String, Object> others = new LinkedHashMap<>();
        for (TabularSchema.OutputField f : schema.outputs()) {
            Tensor t = outputs.get(f.name());
            if (t == null) {
                continue;
            }
            switch (f.role()) {
                case PREDICTED -> answer.putIfAbsent(predictedKey(schema, f), value(t, r, f.type()));
                case PROBABILITY -> probabilities.put(f.label(), value(t, r, "double"));
                case PROBABILITIES -> {
                    int classes = (int) t.shape()[1];
                    for (int c = 0; c < classes; c++) {
                        String label = c < f.labels().size() ? f.labels().get(c) : Integer.toString(c);
                        probabilities.put(label, number(t.getDouble(r * classes + c), "double"));
                    }
                }
                case OTHER -> others.put(f.name(), value(t, r, f.type()));
            }
        }
        if (!probabilities.isEmpty()) {
            answer.put("probabilities", probabilities);
        }
        others.forEach(answer::putIfAbsent);
        return answer;
    }

    private static String predictedKey(TabularSchema schema, TabularSchema.OutputField f) {
        if (schema.classification()) {
            return "label";
        }
        return schema.target() != null ? "value" : f.name();
    }

    /** Element r of a column ([N] or [N, 1]). */
    private static Object value(Tensor t, int r, String type) {
        long[] shape = t.shape();
        int width = shape.length <= 1 ? 1 : (int) (t.elementCount() / Math.max(1, shape[0]));
        int i = r * width;
        if (t.dataType() == DataType.BYTES) {
            String s = StandardCharsets.UTF_8.decode(t.bytesElement(i)).toString();
            return s.isEmpty() ? null : s;
        }
        if (!t.dataType().isFloatingPoint()) {
            return t.getLong(i);
        }
        return number(t.getDouble(i), type);
    }

    /** NaN as null; a whole number of an integer field as a long. */
    private static Object number(double v, String type) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return null;
        }
        if ("integer".equals(type) && v == Math.rint(v)) {
            return (long) v;
        }
        return v;
    }
}
