package com.modelfactory.runtime.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * How many of a model's initializers (weights) are also listed as graph inputs, as exporters for IR version < 4
 * did: ONNX Runtime warns once per such initializer ("appears in graph inputs and will not be treated as
 * constant"), hundreds of lines for a real detector, and serves them as optional inputs. Reads the ModelProto's
 * graph (7) for its inputs (11, ValueInfoProto name = 1) and initializers (5, TensorProto name = 8); -1 when the
 * file is too large to read here or not readable.
 */
final class GraphInputs {
    private static final long MAX_BYTES = 256L << 20;

    private GraphInputs() {
    }

    static int initializersListedAsInputs(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return -1;
            }
            byte[] b = Files.readAllBytes(file);
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
        } catch (IOException | RuntimeException e) {
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
