package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.OutputDecoder;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * The TensorFlow Object Detection API's exported signature: {@code detection_boxes} [B, K, 4]
 * (ymin, xmin, ymax, xmax normalised to the input image), {@code detection_scores} [B, K],
 * {@code detection_classes} [B, K] (1-based label-map ids) and {@code num_detections} [B] (rows that
 * count). NMS ran in the graph.
 */
public final class TfObjectDetectionDecoder implements OutputDecoder {
    @Override
    public String name() {
        return "tf_od_api";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        for (String n : List.of("detection_boxes", "detection_scores", "detection_classes")) {
            if (Outputs.spec(outputs, n) == null) {
                return "expects outputs detection_boxes, detection_scores, detection_classes (and num_detections)";
            }
        }
        TensorSpec boxes = Outputs.spec(outputs, "detection_boxes");
        return boxes.rank() == 3 ? null : "expects detection_boxes as [batch, K, 4], got " + boxes;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        Tensor boxes = outputs.get("detection_boxes");
        float[] b = Outputs.item(boxes, item, 0);
        float[] s = Outputs.item(outputs.get("detection_scores"), item, 1);
        float[] c = Outputs.item(outputs.get("detection_classes"), item, 2);
        int k = (int) boxes.shape()[1];
        Tensor num = outputs.get("num_detections");
        if (num != null) {
            k = Math.min(k, Math.max(0, Math.round(Outputs.item(num, item, 3)[0])));
        }
        float w = out.inputWidth();
        float h = out.inputHeight();
        for (int i = 0; i < k; i++) {
            if (s[i] >= conf) {
                int r = 4 * i;
                out.add(b[r + 1] * w, b[r] * h, b[r + 3] * w, b[r + 2] * h, s[i], Math.round(c[i]), i);
            }
        }
    }

    @Override
    public boolean needsNms() {
        return false;
    }

    @Override
    public int firstClassId() {
        return 1;
    }
}
