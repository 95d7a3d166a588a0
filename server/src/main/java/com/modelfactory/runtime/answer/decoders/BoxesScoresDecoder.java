package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Box and score pairs with the priors already applied (UltraFace, SSD exports): scores [B, N, C] with
 * class 0 the background, boxes [B, N, 4] as normalised corners x1, y1, x2, y2 of the network input.
 * Per box the best non-background class; NMS per class. Which output is which: by name ("box",
 * "score"), else the one whose last dimension is 4 holds the boxes.
 */
public final class BoxesScoresDecoder implements OutputDecoder {
    @Override
    public String name() {
        return "boxes_scores";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        if (outputs.size() < 2 || boxesIndex(outputs) < 0) {
            return "expects outputs scores [batch, N, classes] and boxes [batch, N, 4]";
        }
        return null;
    }

    private static int boxesIndex(List<TensorSpec> outputs) {
        return boxesIndex(outputs.get(0).name(), outputs.get(1).name(), outputs.get(0).shape(), outputs.get(1).shape());
    }

    /** 0 or 1: which of the first two outputs holds the boxes (-1: neither can). */
    private static int boxesIndex(String name0, String name1, long[] shape0, long[] shape1) {
        for (String hint : List.of("box", "loc")) {
            if (name0.toLowerCase().contains(hint)) {
                return 0;
            }
            if (name1.toLowerCase().contains(hint)) {
                return 1;
            }
        }
        boolean four0 = shape0.length == 3 && shape0[2] == 4;
        boolean four1 = shape1.length == 3 && shape1[2] == 4;
        return four0 && !four1 ? 0 : four1 ? 1 : -1;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        List<Map.Entry<String, Tensor>> two = outputs.entrySet().stream().limit(2).toList();
        int bi = boxesIndex(two.get(0).getKey(), two.get(1).getKey(), two.get(0).getValue().shape(),
                two.get(1).getValue().shape());
        Tensor boxes = two.get(bi).getValue();
        Tensor scores = two.get(1 - bi).getValue();
        int n = (int) scores.shape()[1];
        int classes = (int) scores.shape()[2];
        float[] s = Outputs.item(scores, item, 0);
        float[] b = Outputs.item(boxes, item, 1);
        float w = out.inputWidth();
        float h = out.inputHeight();
        for (int a = 0; a < n; a++) {
            int r = a * classes;
            int best = 1;
            for (int c = 2; c < classes; c++) {
                if (s[r + c] > s[r + best]) {
                    best = c;
                }
            }
            if (classes > 1 && s[r + best] >= conf) {
                int q = 4 * a;
                out.add(b[q] * w, b[q + 1] * h, b[q + 2] * w, b[q + 3] * h, s[r + best], best, a);
            }
        }
    }
}
