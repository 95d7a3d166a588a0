package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * YOLOv5 / YOLOv7 (and YOLOX exported with decode_in_inference): one output [B, N, 5 + C], per row the
 * box as centre x, y, width, height in network pixels, objectness, C class scores (sigmoid applied).
 * Score = objectness x the best class's score, as their detect.py computes it.
 */
public class YoloV5Decoder implements OutputDecoder {
    @Override
    public String name() {
        return "yolov5";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        TensorSpec o = outputs.get(0);
        if (o.rank() != 3 || (o.dim(2) > 0 && o.dim(2) < 6)) {
            return "expects output 0 as [batch, anchors, 5 + classes], got " + o;
        }
        return null;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        Tensor t = outputs.values().iterator().next();
        int n = (int) t.shape()[1];
        int k = (int) t.shape()[2];
        float[] v = Outputs.item(t, item, 0);
        for (int a = 0, r = 0; a < n; a++, r += k) {
            float obj = v[r + 4];
            if (!(obj >= conf)) {
                if (Float.isNaN(obj)) {
                    out.refuse();
                }
                continue; // obj x class <= obj: nothing of this row can reach conf
            }
            int best = 0;
            for (int c = 1; c < k - 5; c++) {
                if (v[r + 5 + c] > v[r + 5 + best]) {
                    best = c;
                }
            }
            float score = obj * v[r + 5 + best];
            if (score >= conf) {
                box(v, r, a, score, best, out);
            } else if (Float.isNaN(score)) {
                out.refuse();
            }
        }
    }

    /** Row {@code r}'s box: centre and size in network pixels. */
    protected void box(float[] v, int r, int anchor, float score, int classId, Candidates out) {
        out.addCentred(v[r], v[r + 1], v[r + 2], v[r + 3], score, classId, anchor);
    }
}
