package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Input and output specs as configured: a yaml list of {name, datatype, shape} maps or of strings, or
 * the environment's comma-separated strings. A string is {@code name[:DATATYPE[:1x3x224x224]]}, where the
 * name itself may hold colons: TensorFlow users write tensor names as {@code logits:0}, so a part is the
 * datatype only if it is one ({@code logits:0} is a name; {@code logits:0:FP32} a name and a datatype).
 */
final class TensorSpecs {
    private TensorSpecs() {
    }

    static List<TensorSpec> parse(Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> items = value instanceof List<?> l ? l : List.of(value.toString().split(","));
        List<TensorSpec> out = new ArrayList<>();
        for (Object item : items) {
            out.add(item instanceof Map<?, ?> m ? fromMap(m) : fromText(item.toString().trim()));
        }
        return out;
    }

    private static TensorSpec fromMap(Map<?, ?> m) {
        Object name = m.get("name");
        if (name == null || name.toString().isBlank()) {
            throw new IllegalArgumentException("each entry needs a name");
        }
        DataType type = m.get("datatype") == null ? DataType.FP32 : DataType.fromName(m.get("datatype").toString());
        long[] shape = null;
        if (m.get("shape") instanceof List<?> dims) {
            shape = dims.stream().mapToLong(d -> Long.parseLong(d.toString().trim())).toArray();
        } else if (m.get("shape") != null) {
            shape = dims(m.get("shape").toString());
        }
        return new TensorSpec(name.toString(), type, shape);
    }

    static TensorSpec fromText(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an empty entry");
        }
        String[] parts = s.split(":");
        int typeAt = -1;
        for (int i = 1; i < parts.length; i++) {
            if (isDataType(parts[i])) {
                typeAt = i;
                break;
            }
        }
        if (typeAt < 0) {
            return new TensorSpec(s, DataType.FP32, null); // a name, colons and all
        }
        if (typeAt < parts.length - 2) {
            throw new IllegalArgumentException("'" + s + "' has more after its shape");
        }
        String name = String.join(":", java.util.Arrays.copyOfRange(parts, 0, typeAt));
        long[] shape = typeAt + 1 < parts.length ? dims(parts[typeAt + 1]) : null;
        return new TensorSpec(name, DataType.fromName(parts[typeAt]), shape);
    }

    private static boolean isDataType(String s) {
        try {
            DataType.fromName(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long[] dims(String text) {
        String[] d = text.split("x");
        long[] shape = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            shape[i] = Long.parseLong(d[i].trim());
        }
        return shape;
    }
}
