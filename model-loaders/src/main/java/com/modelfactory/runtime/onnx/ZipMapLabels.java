package com.modelfactory.runtime.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Tabular models are small; a file larger than this is not read for labels (keys are then sorted). */
    private static final long MAX_BYTES = 256L << 20;

    private ZipMapLabels() {
    }

    static Map<String, List<String>> of(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return Map.of();
            }
            byte[] model = Files.readAllBytes(file);
            Map<String, List<String>> out = new HashMap<>();
            for (Wire graph : fields(model, 0, model.length, 7)) {
                for (Wire node : fields(model, graph.start, graph.end, 1)) {
                    node(model, node, out);
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static void node(byte[] b, Wire node, Map<String, List<String>> out) {
        String op = null;
        String output = null;
        List<String> labels = new ArrayList<>();
        for (Wire f : fields(b, node.start, node.end, -1)) {
            if (f.number == 4 && f.type == 2) {
                op = f.text(b);
            } else if (f.number == 2 && f.type == 2 && output == null) {
                output = f.text(b);
            } else if (f.number == 5 && f.type == 2) {
                labels.addAll(attribute(b, f));
            }
        }
        if ("ZipMap".equals(op) && output != null && !labels.isEmpty()) {
            out.put(output, List.copyOf(labels));
        }
    }

    /** The labels of a classlabels_* attribute, else none. */
    private static List<String> attribute(byte[] b, Wire attr) {
        String name = null;
        List<String> values = new ArrayList<>();
        for (Wire f : fields(b, attr.start, attr.end, -1)) {
            if (f.number == 1 && f.type == 2) {
                name = f.text(b);
            } else if (f.number == 9 && f.type == 2) {
                values.add(f.text(b));
            } else if (f.number == 8 && f.type == 0) {
                values.add(Long.toString(f.value));
            } else if (f.number == 8 && f.type == 2) {
                int[] at = {f.start};
                while (at[0] < f.end) {
                    values.add(Long.toString(varint(b, at)));
                }
            }
        }
        return name != null && name.startsWith("classlabels_") ? values : List.of();
    }

    /** A field: number, wire type, varint value or the payload's bounds. */
    private record Wire(int number, int type, long value, int start, int end) {
        String text(byte[] b) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
    }

    /** The fields numbered {@code number} (all when -1) between start and end. */
    private static List<Wire> fields(byte[] b, int start, int end, int number) {
        List<Wire> out = new ArrayList<>();
        int[] at = {start};
        while (at[0] < end) {
            long key = varint(b, at);
            int n = (int) (key >>> 3);
            int type = (int) (key & 7);
            Wire w;
            switch (type) {
                case 0 -> w = new Wire(n, type, varint(b, at), 0, 0);
                case 1 -> {
                    w = new Wire(n, type, 0, at[0], at[0] + 8);
                    at[0] += 8;
                }
                case 5 -> {
                    w = new Wire(n, type, 0, at[0], at[0] + 4);
                    at[0] += 4;
                }
                case 2 -> {
                    int len = Math.toIntExact(varint(b, at));
                    w = new Wire(n, type, 0, at[0], at[0] + len);
                    at[0] += len;
                }
                default -> throw new IllegalArgumentException("wire type " + type);
            }
            if (at[0] > end) {
                throw new IllegalArgumentException("truncated field");
            }
            if (number < 0 || n == number) {
                out.add(w);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
