package com.modelfactory.runtime.answer.decoders;

import com.modelfactory.runtime.answer.Candidates;
import com.modelfactory.runtime.answer.Outputs;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * YOLOX as its export script writes it by default (no decode in the graph): [B, N, 5 + C] with N the
 * cells of the stride 8, 16 and 32 grids in turn (x fastest), per row dx, dy, log w, log h, objectness
 * and C class scores (sigmoid applied). Decoded as YOLOX's demo_postprocess: centre ((dx + gx) s,
 * (dy + gy) s), size (e^w s, e^h s). A YOLOX graph that decodes itself is the yolov5 layout.
 */
public final class YoloxDecoder extends YoloV5Decoder {
    private static final int[] STRIDES = {8, 16, 32};

    @Override
    public String name() {
        return "yolox";
    }

    @Override
    public String mismatch(List<TensorSpec> outputs, int inputWidth, int inputHeight) {
        String layout = super.mismatch(outputs, inputWidth, inputHeight);
        if (layout != null) {
            return layout;
        }
        long rows = outputs.get(0).dim(1);
        long cells = cells(inputWidth, inputHeight);
        if (inputWidth <= 0 || inputHeight <= 0 || (rows > 0 && rows != cells)) {
            return "expects the cells of the stride 8/16/32 grids of a " + inputWidth + "x" + inputHeight
                    + " input (" + cells + " rows), got " + outputs.get(0);
        }
        return null;
    }

    private static long cells(int w, int h) {
        long n = 0;
        for (int s : STRIDES) {
            n += (long) (w / s) * (h / s);
        }
        return n;
    }

    @Override
    public void decode(Map<String, Tensor> outputs, int item, float conf, Candidates out) {
        if (cells(out.inputWidth(), out.inputHeight()) != outputs.values().iterator().next().shape()[1]) {
            throw com.modelfactory.runtime.error.ServingException.badInput("the YOLOX output's rows do not match the "
                    + "grids of a " + out.inputWidth() + "x" + out.inputHeight() + " input; send an image, or a tensor "
                    + "of the model's input size");
        }
        super.decode(outputs, item, conf, out);
    }

    @Override
    protected void box(float[] v, int r, int anchor, float score, int classId, Candidates out) {
        int w = out.inputWidth();
        int h = out.inputHeight();
        int a = anchor;
        for (int s : STRIDES) {
            int gw = w / s;
            int cellsHere = gw * (h / s);
            if (a < cellsHere) {
                int gx = a % gw;
                int gy = a / gw;
                float bw = (float) Math.exp(v[r + 2]) * s;
                float bh = (float) Math.exp(v[r + 3]) * s;
                out.addCentred((v[r] + gx) * s, (v[r + 1] + gy) * s, bw, bh, score, classId, anchor);
                return;
            }
            a -= cellsHere;
        }
    }
}
