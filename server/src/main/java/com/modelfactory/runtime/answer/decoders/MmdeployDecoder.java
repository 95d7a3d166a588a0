package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * MMDeploy's detection outputs: {@code dets} [B, N, 5] (x1, y1, x2, y2 in network pixels, score) and
 * {@code labels} [B, N]. NMS ran in the graph.
 */
public final class MmdeployDecoder implements OutputDecoder {
    @Override
    public String name() {
        return "mmdeploy";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        TensorSpec dets = Outputs.spec(outputs, "dets");
        TensorSpec labels = Outputs.spec(outputs, "labels");
        if (dets == null || labels == null || dets.rank() != 3 || (dets.dim(2) != 5 && dets.dim(2) > 0)
                || labels.rank() != 2) {
            return "expects outputs 'dets' [batch, N, 5] and 'labels' [batch, N]";
        }
        return null;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        Tensor dets = outputs.get("dets");
        float[] d = Outputs.item(dets, item, 0);
        float[] labels = Outputs.item(outputs.get("labels"), item, 1);
        int n = (int) dets.shape()[1];
        for (int a = 0, r = 0; a < n; a++, r += 5) {
            if (d[r + 4] >= conf) {
                out.add(d[r], d[r + 1], d[r + 2], d[r + 3], d[r + 4], Math.round(labels[a]), a);
            }
        }
    }

    @Override
    public boolean needsNms() {
        return false;
    }
}
