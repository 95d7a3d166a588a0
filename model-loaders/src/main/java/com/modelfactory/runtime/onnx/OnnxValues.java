package com.modelfactory.runtime.onnx;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** ONNX Runtime values that are not dense numeric tensors, turned into the seam's tensors. */
final class OnnxValues {
    private OnnxValues() {
    }

    /** A string tensor as BYTES, UTF-8 elements in row-major order. */
    static Tensor strings(OnnxTensor v) throws OrtException {
        List<byte[]> elements = new ArrayList<>();
        flatten(v.getValue(), elements);
        return Tensor.ofBytes(v.getInfo().getShape(), elements);
    }

    private static void flatten(Object value, List<byte[]> out) {
        if (value instanceof String s) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        } else if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                flatten(Array.get(value, i), out);
            }
        }
    }

    /**
     * A ZipMap's sequence of {label: probability} maps as FP32 [N, classes]: columns in the order of the
     * spec's labels (the ZipMap node's own), else of the sorted keys.
     */
    static Tensor probabilities(OnnxSequence seq, TensorSpec spec, List<String> labels) throws OrtException {
        // The sequence's elements are the caller's to close: closing the sequence leaves them (microsoft/
        // onnxruntime#24551); unclosed, the 100-tree GBDT fixture grew RSS by ~220 MB per 12,000 requests.
        List<? extends OnnxValue> maps = seq.getValue();
        try {
            return probabilities(maps, spec, labels);
        } finally {
            maps.forEach(OnnxValue::close);
        }
    }

    private static Tensor probabilities(List<? extends OnnxValue> maps, TensorSpec spec, List<String> labels)
            throws OrtException {
        int n = maps.size();
        List<String> keys = null;
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            Map<? extends Object, ? extends Object> m = ((OnnxMap) maps.get(i)).getValue();
            if (keys == null) {
                keys = !labels.isEmpty() ? labels
                        : m.keySet().stream().sorted(KEY_ORDER).map(String::valueOf).toList();
                if (spec.dim(1) > 0 && spec.dim(1) != keys.size()) {
                    throw new InferenceException("ZipMap output '" + spec.name() + "' has " + keys.size()
                            + " classes but the model declares " + spec.dim(1), null);
                }
            }
            rows[i] = new float[keys.size()];
            for (Map.Entry<? extends Object, ? extends Object> e : m.entrySet()) {
                int column = keys.indexOf(String.valueOf(e.getKey()));
                if (column < 0) {
                    throw new InferenceException("ZipMap output '" + spec.name() + "' answered an unknown class "
                            + e.getKey(), null);
                }
                rows[i][column] = ((Number) e.getValue()).floatValue();
            }
        }
        int classes = keys == null ? Math.max(0, (int) spec.dim(1)) : keys.size();
        Tensor t = Tensor.allocateHeap(DataType.FP32, new long[]{n, classes});
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                t.setDouble(i * classes + c, rows[i][c]);
            }
        }
        return t;
    }

    /** Numeric keys in numeric order, strings in lexicographic order (scikit-learn's classes_ order). */
    private static final Comparator<Object> KEY_ORDER = (a, b) -> a instanceof Number x && b instanceof Number y
            ? Long.compare(x.longValue(), y.longValue()) : String.valueOf(a).compareTo(String.valueOf(b));
}
