package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.image.ImageFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * Semantic segmentation: class scores [B, C, h, w] (or [B, h, w, C]) bilinearly resized to the original
 * image (half-pixel centres, through the letterbox when there is one) and the best class taken per pixel,
 * as torchvision's and MMSegmentation's pipelines do; one segment per class present.
 */
final class SemanticMasks {
    private SemanticMasks() {
    }

    static List<Segment> segments(Tensor scores, int item, ImageFrame f, boolean channelsLast, Labels labels) {
        long[] s = scores.shape();
        int c = (int) (channelsLast ? s[3] : s[1]);
        int mh = (int) (channelsLast ? s[1] : s[2]);
        int mw = (int) (channelsLast ? s[2] : s[3]);
        float[] v = Outputs.item(scores, item, 0);
        int w = f.width();
        int h = f.height();
        byte[] classOf = new byte[w * h];
        int[] present = new int[c];
        // per original column: its map column and weight (the same for every row)
        int[] x0s = new int[w];
        int[] x1s = new int[w];
        float[] wxs = new float[w];
        for (int x = 0; x < w; x++) {
            float fx = Math.max(f.inputX(x + 0.5f) * mw / f.inputWidth() - 0.5f, 0f);
            x0s[x] = Math.min((int) fx, mw - 1);
            x1s[x] = Math.min(x0s[x] + 1, mw - 1);
            wxs[x] = fx - x0s[x];
        }
        int cs = channelsLast ? 1 : mh * mw;
        int ps = channelsLast ? c : 1;
        for (int y = 0; y < h; y++) {
            float fy = Math.max(f.inputY(y + 0.5f) * mh / f.inputHeight() - 0.5f, 0f);
            int y0 = Math.min((int) fy, mh - 1);
            int y1 = Math.min(y0 + 1, mh - 1);
            float wy = fy - y0;
            for (int x = 0; x < w; x++) {
                int a = (y0 * mw + x0s[x]) * ps;
                int b = (y0 * mw + x1s[x]) * ps;
                int d = (y1 * mw + x0s[x]) * ps;
                int e = (y1 * mw + x1s[x]) * ps;
                float wx = wxs[x];
                int best = 0;
                float bestValue = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    int o = k * cs;
                    float top = v[a + o] + (v[b + o] - v[a + o]) * wx;
                    float bottom = v[d + o] + (v[e + o] - v[d + o]) * wx;
                    float value = top + (bottom - top) * wy;
                    if (value > bestValue) {
                        bestValue = value;
                        best = k;
                    }
                }
                classOf[y * w + x] = (byte) best;
                present[best]++;
            }
        }
        List<Segment> out = new ArrayList<>();
        byte[] mask = new byte[w * h];
        for (int k = 0; k < c; k++) {
            if (present[k] == 0) {
                continue;
            }
            for (int i = 0; i < mask.length; i++) {
                mask[i] = (byte) ((classOf[i] & 0xff) == k ? 1 : 0);
            }
            out.add(CocoRle.segment(mask, h, w, k, labels.of(k), null));
        }
        return out;
    }
}
