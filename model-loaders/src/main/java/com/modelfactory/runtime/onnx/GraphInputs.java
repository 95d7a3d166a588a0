package com.modelfactory.runtime.onnx;

import java.util.HashSet;
import java.util.Set;

/**
 * How many of a model's initializers (weights) are also listed as graph inputs, as exporters for IR version < 4
 * did: ONNX Runtime warns once per such initializer ("appears in graph inputs and will not be treated as
 * constant"), hundreds of lines for a real detector, and serves them as optional inputs. Reads the ModelProto's
 * graph (7) for its inputs (11, ValueInfoProto name = 1) and initializers (5, TensorProto name = 8); -1 when the
 * model's bytes were not read (too large) or do not parse.
 */
final class GraphInputs {
    private GraphInputs() {
    }

    /** @param b the ModelProto's bytes, or null when they were not read */
    static int initializersListedAsInputs(byte[] b) {
        if (b == null) {
            return -1;
        }
        try {
            Set<String> inputs = new HashSet<>();
            Set<String> initializers = new HashSet<>();
            for (ProtoFields.Field graph : ProtoFields.all(b, 0, b.length)) {
                if (graph.number() != 7 || graph.type() != 2) {
                    continue;
                }
                for (ProtoFields.Field f : ProtoFields.all(b, graph.start(), graph.end())) {
                    if (f.type() == 2 && (f.number() == 11 || f.number() == 5)) {
                        String name = name(b, f, f.number() == 11 ? 1 : 8);
                        if (name != null) {
                            (f.number() == 11 ? inputs : initializers).add(name);
                        }
                    }
                }
            }
            inputs.retainAll(initializers);
            return inputs.size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String name(byte[] b, ProtoFields.Field message, int nameField) {
        for (ProtoFields.Field f : ProtoFields.all(b, message.start(), message.end())) {
            if (f.number() == nameField && f.type() == 2) {
                return f.text(b);
            }
        }
        return null;
    }
}
