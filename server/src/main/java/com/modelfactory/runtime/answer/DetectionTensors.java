package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Detections as tensors, for v2 REST and gRPC clients that ask for post-processing: named and laid out
 * as the TF Object Detection API exports them, so clients written for it read them as they are:
 * {@code detection_boxes} FP32 [B, K, 4] (ymin, xmin, ymax, xmax, normalised to the original image),
 * {@code detection_scores} FP32 [B, K], {@code detection_classes} FP32 [B, K] (the class ids the model
 * gives), {@code num_detections} FP32 [B]. K is the most detections of any item; rows past an item's
 * count are zeros.
 */
public final class DetectionTensors {
    public static final List<String> NAMES = List.of("detection_boxes", "detection_scores", "detection_classes",
            "num_detections");

    private DetectionTensors() {
    }

    public static Map<String, Tensor> of(List<ImageAnswer> answers) {
        int b = answers.size();
        int k = 0;
        for (ImageAnswer a : answers) {
            k = Math.max(k, a.detections().size());
        }
        float[] boxes = new float[b * k * 4];
        float[] scores = new float[b * k];
        float[] classes = new float[b * k];
        float[] num = new float[b];
        for (int i = 0; i < b; i++) {
            ImageAnswer a = answers.get(i);
            List<Detection> d = a.detections();
            num[i] = d.size();
            float w = Math.max(1, a.width());
            float h = Math.max(1, a.height());
            for (int j = 0; j < d.size(); j++) {
                Detection x = d.get(j);
                int r = i * k + j;
                boxes[4 * r] = x.y1() / h;
                boxes[4 * r + 1] = x.x1() / w;
                boxes[4 * r + 2] = x.y2() / h;
                boxes[4 * r + 3] = x.x2() / w;
                scores[r] = x.score();
                classes[r] = x.classId();
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(NAMES.get(0), Tensor.ofFloats(new long[] {b, k, 4}, boxes));
        out.put(NAMES.get(1), Tensor.ofFloats(new long[] {b, k}, scores));
        out.put(NAMES.get(2), Tensor.ofFloats(new long[] {b, k}, classes));
        out.put(NAMES.get(3), Tensor.ofFloats(new long[] {b}, num));
        return out;
    }
}
