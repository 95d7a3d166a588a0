package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * End-to-end outputs [B, N, 6]: x1, y1, x2, y2 (network pixels), score, class, as YOLOv10 and models
 * exported with NMS in the graph give them. No NMS: the graph did it.
 */
public final class EndToEndDecoder implements OutputDecoder {
    @Override
    public String name() {
        return "end2end";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        TensorSpec o = outputs.get(0);
        return o.rank() == 3 && (o.dim(2) == 6 || o.dim(2) < 0) ? null
                : "expects output 0 as [batch, detections, 6] (x1, y1, x2, y2, score, class), got " + o;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        Tensor t = outputs.values().iterator().next();
        int n = (int) t.shape()[1];
        float[] v = Outputs.item(t, item, 0);
        for (int a = 0, r = 0; a < n; a++, r += 6) {
            if (v[r + 4] >= conf) {
                out.add(v[r], v[r + 1], v[r + 2], v[r + 3], v[r + 4], Math.round(v[r + 5]), a);
            }
        }
    }

    @Override
    public boolean needsNms() {
        return false;
    }
}
