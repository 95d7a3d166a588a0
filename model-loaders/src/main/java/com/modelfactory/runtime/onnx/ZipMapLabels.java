package com.modelfactory.runtime.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The class labels of each ZipMap node of an ONNX-ML graph, by the name of the output it writes: ONNX
 * Runtime's Java API hands back a ZipMap's answer as unordered maps and does not expose the graph, so the
 * column order of the probabilities and their labels come from the node's own {@code classlabels_strings}
 * or {@code classlabels_int64s}. Reads the ModelProto's wire format directly (graph = 7, node = 1; NodeProto
 * output = 2, op_type = 4, attribute = 5; AttributeProto name = 1, ints = 8, strings = 9).
 */
final class ZipMapLabels {
    private ZipMapLabels() {
    }

    /** @param model the ModelProto's bytes, or null when they were not read (then no labels are known) */
    static Map<String, List<String>> of(byte[] model) {
        if (model == null) {
            return Map.of();
        }
        try {
            Map<String, List<String>> out = new HashMap<>();
            for (ProtoFields.Field graph : ProtoFields.all(model, 0, model.length)) {
                if (graph.number() != 7 || graph.type() != 2) {
                    continue;
                }
                for (ProtoFields.Field node : ProtoFields.all(model, graph.start(), graph.end())) {
                    if (node.number() == 1 && node.type() == 2) {
                        node(model, node, out);
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static void node(byte[] b, ProtoFields.Field node, Map<String, List<String>> out) {
        String op = null;
        String output = null;
        List<String> labels = new ArrayList<>();
        for (ProtoFields.Field f : ProtoFields.all(b, node.start(), node.end())) {
            if (f.number() == 4 && f.type() == 2) {
                op = f.text(b);
            } else if (f.number() == 2 && f.type() == 2 && output == null) {
                output = f.text(b);
            } else if (f.number() == 5 && f.type() == 2) {
                labels.addAll(attribute(b, f));
            }
        }
        if ("ZipMap".equals(op) && output != null && !labels.isEmpty()) {
            out.put(output, List.copyOf(labels));
        }
    }

    /** The labels of a classlabels_* attribute, else none. */
    private static List<String> attribute(byte[] b, ProtoFields.Field attr) {
        String name = null;
        List<String> values = new ArrayList<>();
        for (ProtoFields.Field f : ProtoFields.all(b, attr.start(), attr.end())) {
            if (f.number() == 1 && f.type() == 2) {
                name = f.text(b);
            } else if (f.number() == 9 && f.type() == 2) {
                values.add(f.text(b));
            } else if (f.number() == 8 && f.type() == 0) {
                values.add(Long.toString(f.value()));
            } else if (f.number() == 8 && f.type() == 2) {
                int[] at = {f.start()};
                while (at[0] < f.end()) {
                    values.add(Long.toString(ProtoFields.varint(b, at)));
                }
            }
        }
        return name != null && name.startsWith("classlabels_") ? values : List.of();
    }
}
