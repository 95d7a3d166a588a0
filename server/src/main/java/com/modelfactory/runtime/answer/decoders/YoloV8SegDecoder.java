package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Ultralytics YOLOv8-seg / YOLO11-seg: output 0 [B, 4 + C + M, N] (the detection layout plus M mask
 * coefficients per anchor), output 1 the prototypes [B, M, h, w]. Boxes decode as {@link YoloV8Decoder};
 * the masks are made by {@link com.modelfactory.runtime.answer.InstanceMasks} for the kept boxes.
 */
public final class YoloV8SegDecoder extends YoloV8Decoder {
    @Override
    public String name() {
        return "yolov8_seg";
    }

    @Override
    public Task task() {
        return Task.INSTANCE_SEGMENTATION;
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        if (outputs.size() < 2 || outputs.get(0).rank() != 3 || outputs.get(1).rank() != 4) {
            return "expects output 0 as [batch, 4 + classes + masks, anchors] and output 1 as prototypes "
                    + "[batch, masks, h, w]";
        }
        long rows = outputs.get(0).dim(1);
        long masks = outputs.get(1).dim(1);
        return rows > 0 && masks > 0 && rows < 5 + masks ? "output 0 " + outputs.get(0) + " has too few rows for "
                + masks + " mask coefficients" : null;
    }

    @Override
    protected int classes(Map<String, Tensor> outputs) {
        Iterator<Tensor> it = outputs.values().iterator();
        long rows = it.next().shape()[1];
        long masks = it.next().shape()[1];
        return (int) (rows - 4 - masks);
    }
}
