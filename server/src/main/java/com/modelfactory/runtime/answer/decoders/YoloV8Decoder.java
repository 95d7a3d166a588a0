package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Ultralytics YOLOv8 / YOLO11 (and v9, v12 exported the same way): one output [B, 4 + C, N], per anchor
 * (column) the box as centre x, y, width, height in network pixels, then C class scores (sigmoid applied
 * in the graph, no objectness). Score = the best class's score.
 */
public class YoloV8Decoder implements OutputDecoder {
    /** Mask coefficients after the class scores (0 for plain detection). */
    protected final int maskCoefficients;

    public YoloV8Decoder() {
        this(0);
    }

    protected YoloV8Decoder(int maskCoefficients) {
        this.maskCoefficients = maskCoefficients;
    }

    @Override
    public String name() {
        return "yolov8";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        TensorSpec o = outputs.get(0);
        if (o.rank() != 3 || (o.dim(1) > 0 && o.dim(1) < 5 + maskCoefficients)) {
            return "expects output 0 as [batch, 4 + classes" + (maskCoefficients > 0 ? " + " + maskCoefficients : "")
                    + ", anchors], got " + o;
        }
        return null;
    }

    /** Classes: the rows after the box and before any mask coefficients. */
    protected int classes(Map<String, Tensor> outputs) {
        return (int) outputs.values().iterator().next().shape()[1] - 4 - maskCoefficients;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        Tensor t = outputs.values().iterator().next();
        int classes = classes(outputs);
        int n = (int) t.shape()[2];
        float[] v = Outputs.item(t, item, 0);
        float[] best = Outputs.scratch(1, n);
        float[] bestClass = Outputs.scratch(2, n);
        System.arraycopy(v, 4 * n, best, 0, n);
        java.util.Arrays.fill(bestClass, 0, n, 0f);
        // class by class over all anchors: contiguous rows, a loop the JIT vectorises
        for (int c = 1; c < classes; c++) {
            int row = (4 + c) * n;
            for (int a = 0; a < n; a++) {
                float s = v[row + a];
                if (s > best[a]) {
                    best[a] = s;
                    bestClass[a] = c;
                }
            }
        }
        for (int a = 0; a < n; a++) {
            if (best[a] >= conf) {
                out.addCentred(v[a], v[n + a], v[2 * n + a], v[3 * n + a], best[a], (int) bestClass[a], a);
            } else if (Float.isNaN(best[a])) {
                out.refuse();
            }
        }
    }
}
