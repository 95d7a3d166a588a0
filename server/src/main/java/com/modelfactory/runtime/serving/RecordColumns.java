package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Records of a tabular model (JSON objects, CSV rows, JSON Lines) as its column tensors: one [N] column per
 * input, FP64 for a number input, BYTES (UTF-8) for a text input. A field a record lacks, or holds as null,
 * is a missing value (NaN, or the empty string), which the model treats as it declares; the engine's
 * conforming then gives each column its spec's shape and datatype.
 */
public final class RecordColumns {
    private RecordColumns() {
    }

    /**
     * @param records each a map of field to value (Number, String, Boolean or null), or a list of values in the
     *                model's input order
     * @param strict  refuse fields the model does not take (HTTP); false ignores them (batch files with ids)
     */
    public static Map<String, Tensor> of(Signature signature, List<?> records, boolean strict) {
        if (records.isEmpty()) {
            throw ServingException.badInput("no records: send at least one");
        }
        List<TensorSpec> inputs = signature.inputs();
        int n = records.size();
        Object[][] values = new Object[inputs.size()][n];
        for (int r = 0; r < n; r++) {
            Object record = records.get(r);
            if (record instanceof Map<?, ?> map) {
                fromMap(inputs, map, values, r, strict);
            } else if (record instanceof List<?> list) {
                if (list.size() != inputs.size()) {
                    throw ServingException.badInput("record " + r + " holds " + list.size() + " values but the model "
                            + "takes " + inputs.size() + " fields, in this order: " + names(inputs));
                }
                for (int c = 0; c < inputs.size(); c++) {
                    values[c][r] = list.get(c);
                }
            } else {
                throw ServingException.badInput("record " + r + " must be an object of field: value (or a list of "
                        + "values in the order " + names(inputs) + ")");
            }
        }
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c < inputs.size(); c++) {
            out.put(inputs.get(c).name(), column(inputs.get(c), values[c]));
        }
        return out;
    }

    private static void fromMap(List<TensorSpec> inputs, Map<?, ?> map, Object[][] values, int r, boolean strict) {
        if (strict) {
            for (Object key : map.keySet()) {
                if (inputs.stream().noneMatch(t -> t.name().equals(key))) {
                    throw ServingException.badInput("record " + r + " has field '" + Messages.shorten(String.valueOf(key),
                            100) + "', which the model does not take; its fields are " + names(inputs));
                }
            }
        }
        for (int c = 0; c < inputs.size(); c++) {
            values[c][r] = map.get(inputs.get(c).name());
        }
    }

    private static Tensor column(TensorSpec spec, Object[] values) {
        long[] shape = {values.length};
        if (spec.dataType() == DataType.BYTES) {
            List<byte[]> text = new ArrayList<>(values.length);
            for (Object v : values) {
                text.add(v == null ? new byte[0] : text(v).getBytes(StandardCharsets.UTF_8));
            }
            return Tensor.ofBytes(shape, text);
        }
        Tensor t = Tensor.allocateHeap(DataType.FP64, shape);
        for (int r = 0; r < values.length; r++) {
            t.setDouble(r, number(spec.name(), r, values[r]));
        }
        return t;
    }

    /** A text field's value: JSON numbers as written (1, not 1.0), booleans as true/false. */
    private static String text(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    private static double number(String field, int r, Object v) {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isInfinite(d)) {
                throw ServingException.badInput("record " + r + ": field '" + field + "' is " + Messages.shorten(
                        String.valueOf(v), 40) + ", beyond a double's range");
            }
            return d;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        String s = String.valueOf(v).trim();
        if (s.isEmpty() || s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("null") || s.equalsIgnoreCase("na")) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(s);
            if (Double.isInfinite(d)) {
                throw ServingException.badInput("record " + r + ": field '" + field + "' is " + Messages.shorten(s, 40)
                        + ", beyond a double's range");
            }
            return d;
        } catch (NumberFormatException e) {
            throw ServingException.badInput("record " + r + ": field '" + field + "' is '" + Messages.shorten(s, 100)
                    + "', not a number");
        }
    }

    private static String names(List<TensorSpec> inputs) {
        return inputs.stream().map(TensorSpec::name).toList().toString();
    }

    /** {field: [values...]} columns as records, every column as long as the first. */
    public static List<Map<String, Object>> fromColumns(Map<String, ?> columns) {
        List<Map<String, Object>> records = new ArrayList<>();
        int n = -1;
        for (Map.Entry<String, ?> e : columns.entrySet()) {
            if (!(e.getValue() instanceof List<?> values)) {
                throw ServingException.badInput("column '" + e.getKey() + "' must be a list of values, one per record");
            }
            if (n < 0) {
                n = values.size();
                for (int i = 0; i < n; i++) {
                    records.add(new java.util.HashMap<>());
                }
            } else if (values.size() != n) {
                throw ServingException.badInput("columns differ in length: " + new TreeSet<>(columns.keySet())
                        + " must each hold one value per record");
            }
            for (int i = 0; i < n; i++) {
                Object v = values.get(i);
                // [[v], [v]]: a column sent as [N, 1]
                records.get(i).put(e.getKey(), v instanceof List<?> one && one.size() == 1 ? one.get(0) : v);
            }
        }
        return records;
    }
}
