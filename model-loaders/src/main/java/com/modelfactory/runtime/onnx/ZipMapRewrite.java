package com.modelfactory.runtime.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Rewrites an ONNX-ML model so that each ZipMap writing a graph output becomes an Identity, and that output a
 * float tensor [N, classes]: the probabilities the ZipMap would have zipped with its labels. ONNX Runtime's Java
 * API hands a ZipMap's answer back as one native map per record, read key by key (half of a worker's time on
 * the 100-tree GBDT fixture at 64 records a request); the tensor is one copy. The labels are kept from the node
 * ({@link ZipMapLabels}) and the output keeps its name, so nothing outside the engine sees the difference.
 *
 * <p>Wire format: ModelProto graph = 7; GraphProto node = 1, output = 12; NodeProto input = 1, output = 2,
 * name = 3, op_type = 4; ValueInfoProto name = 1, type = 2; TypeProto tensor_type = 1; Tensor elem_type = 1
 * (FLOAT = 1), shape = 2; TensorShapeProto dim = 1; Dimension dim_value = 1, dim_param = 2.
 */
final class ZipMapRewrite {
    private ZipMapRewrite() {
    }

    /** The model with its output ZipMaps replaced, or null when it has none to replace. */
    static byte[] rewrite(byte[] model, Map<String, List<String>> zipMaps) {
        if (zipMaps.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length);
        boolean[] changed = {false};
        for (ProtoFields.Field f : ProtoFields.all(model, 0, model.length)) {
            if (f.number() == 7 && f.type() == 2) {
                ProtoFields.writeLen(out, 7, graph(model, f, zipMaps, changed));
            } else {
                out.write(model, f.fieldStart(), f.end() - f.fieldStart());
            }
        }
        return changed[0] ? out.toByteArray() : null;
    }

    private static byte[] graph(byte[] b, ProtoFields.Field graph, Map<String, List<String>> zipMaps, boolean[] changed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(graph.end() - graph.start());
        for (ProtoFields.Field f : ProtoFields.all(b, graph.start(), graph.end())) {
            byte[] replaced = null;
            if (f.number() == 1 && f.type() == 2) {
                replaced = node(b, f, zipMaps);
            } else if (f.number() == 12 && f.type() == 2) {
                replaced = output(b, f, zipMaps);
            }
            if (replaced != null) {
                changed[0] = true;
                ProtoFields.writeLen(out, f.number(), replaced);
            } else {
                out.write(b, f.fieldStart(), f.end() - f.fieldStart());
            }
        }
        return out.toByteArray();
    }

    /** A ZipMap node writing one of these outputs as Identity(input) -> output; else null. */
    private static byte[] node(byte[] b, ProtoFields.Field node, Map<String, List<String>> zipMaps) {
        String op = null;
        String input = null;
        String output = null;
        String name = null;
        for (ProtoFields.Field f : ProtoFields.all(b, node.start(), node.end())) {
            switch (f.number()) {
                case 1 -> input = input == null ? f.text(b) : input;
                case 2 -> output = output == null ? f.text(b) : output;
                case 3 -> name = f.text(b);
                case 4 -> op = f.text(b);
                default -> { }
            }
        }
        if (!"ZipMap".equals(op) || input == null || output == null || !zipMaps.containsKey(output)) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoFields.writeLen(out, 1, input.getBytes(StandardCharsets.UTF_8));
        ProtoFields.writeLen(out, 2, output.getBytes(StandardCharsets.UTF_8));
        if (name != null) {
            ProtoFields.writeLen(out, 3, name.getBytes(StandardCharsets.UTF_8));
        }
        ProtoFields.writeLen(out, 4, "Identity".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The ValueInfo of a ZipMap output as float [N, classes]; else null. */
    private static byte[] output(byte[] b, ProtoFields.Field info, Map<String, List<String>> zipMaps) {
        String name = null;
        for (ProtoFields.Field f : ProtoFields.all(b, info.start(), info.end())) {
            if (f.number() == 1 && f.type() == 2) {
                name = f.text(b);
            }
        }
        if (name == null || !zipMaps.containsKey(name)) {
            return null;
        }
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        ProtoFields.writeLen(batch, 2, "N".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream classes = new ByteArrayOutputStream();
        ProtoFields.writeVarint(classes, 1, zipMaps.get(name).size());
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        ProtoFields.writeLen(shape, 1, batch.toByteArray());
        ProtoFields.writeLen(shape, 1, classes.toByteArray());
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        ProtoFields.writeVarint(tensor, 1, 1); // FLOAT
        ProtoFields.writeLen(tensor, 2, shape.toByteArray());
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        ProtoFields.writeLen(type, 1, tensor.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoFields.writeLen(out, 1, name.getBytes(StandardCharsets.UTF_8));
        ProtoFields.writeLen(out, 2, type.toByteArray());
        return out.toByteArray();
    }
}
