package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.image.ImageFrame;
import java.util.Iterator;
import java.util.Map;

/**
 * YOLOv8-seg masks as Ultralytics' process_mask and scale_masks make them: the kept box's coefficients
 * times the prototypes, zeroed outside the box (at prototype scale), bilinearly upsampled to the network
 * input, the letterbox padding cut off, bilinearly resized to the original image, set where the logit is
 * above 0 (sigmoid above 0.5), and cleared outside the box. Only the box's pixels are computed.
 */
final class InstanceMasks {
    private InstanceMasks() {
    }

    /** The mask of anchor {@code anchor}'s detection, row-major over the original image. */
    static byte[] mask(Map<String, Tensor> outputs, int item, int anchor, float[] box, ImageFrame f) {
        Iterator<Tensor> it = outputs.values().iterator();
        Tensor det = it.next();
        Tensor protos = it.next();
        int m = (int) protos.shape()[1];
        int ph = (int) protos.shape()[2];
        int pw = (int) protos.shape()[3];
        int rows = (int) det.shape()[1];
        int n = (int) det.shape()[2];
        float[] v = Outputs.item(det, item, 0);
        float[] p = Outputs.item(protos, item, 1);
        float[] logits = Outputs.scratch(2, ph * pw);
        java.util.Arrays.fill(logits, 0, ph * pw, 0f);
        int first = rows - m;
        for (int k = 0; k < m; k++) {
            float c = v[(first + k) * n + anchor];
            int base = k * ph * pw;
            for (int i = 0; i < ph * pw; i++) {
                logits[i] += c * p[base + i];
            }
        }
        cropToBox(logits, ph, pw, box, f);
        return upsampled(logits, ph, pw, box, f);
    }

    /** Ultralytics' crop_mask at prototype scale: cells outside the (network) box set to 0. */
    private static void cropToBox(float[] logits, int ph, int pw, float[] box, ImageFrame f) {
        float sx = (float) pw / f.inputWidth();
        float sy = (float) ph / f.inputHeight();
        float x1 = box[0] * sx;
        float y1 = box[1] * sy;
        float x2 = box[2] * sx;
        float y2 = box[3] * sy;
        for (int r = 0; r < ph; r++) {
            boolean rowIn = r >= y1 && r < y2;
            for (int c = 0; c < pw; c++) {
                if (!(rowIn && c >= x1 && c < x2)) {
                    logits[r * pw + c] = 0f;
                }
            }
        }
    }

    /**
     * The original image's mask: each pixel inside the original box is sampled from the network-size
     * upsampled logits of the unpadded region, each of those from the prototypes (both bilinear,
     * half-pixel centres, as F.interpolate with align_corners=False).
     */
    private static byte[] upsampled(float[] logits, int ph, int pw, float[] netBox, ImageFrame f) {
        int w = f.width();
        int h = f.height();
        int iw = f.inputWidth();
        int ih = f.inputHeight();
        float padX = (iw - w * f.scaleX()) / 2f;
        float padY = (ih - h * f.scaleY()) / 2f;
        boolean centred = f.padLeft() > 0 || f.padTop() > 0;
        int left = (int) f.padLeft();
        int top = (int) f.padTop();
        int right = centred ? Math.round(iw - padX + 0.1f) : Math.round(w * f.scaleX());
        int bottom = centred ? Math.round(ih - padY + 0.1f) : Math.round(h * f.scaleY());
        right = Math.min(Math.max(right, left + 1), iw);
        bottom = Math.min(Math.max(bottom, top + 1), ih);
        float ox1 = f.originalX(netBox[0]);
        float oy1 = f.originalY(netBox[1]);
        float ox2 = f.originalX(netBox[2]);
        float oy2 = f.originalY(netBox[3]);
        byte[] mask = new byte[w * h];
        int xs = Math.max(0, (int) Math.ceil(ox1));
        int xe = Math.min(w, (int) Math.ceil(ox2));
        int ys = Math.max(0, (int) Math.ceil(oy1));
        int ye = Math.min(h, (int) Math.ceil(oy2));
        float cropW = right - left;
        float cropH = bottom - top;
        float protoX = (float) pw / iw;
        float protoY = (float) ph / ih;
        for (int y = ys; y < ye; y++) {
            // row in the network-size map (cut region), then in the prototypes
            float ny = top + source(y, cropH / h, (int) cropH);
            int ny0 = (int) ny;
            int ny1 = Math.min(ny0 + 1, bottom - 1);
            float wy = ny - ny0;
            for (int x = xs; x < xe; x++) {
                float nx = left + source(x, cropW / w, (int) cropW);
                int nx0 = (int) nx;
                int nx1 = Math.min(nx0 + 1, right - 1);
                float wx = nx - nx0;
                float a = sample(logits, ph, pw, nx0, ny0, protoX, protoY);
                float b = sample(logits, ph, pw, nx1, ny0, protoX, protoY);
                float c = sample(logits, ph, pw, nx0, ny1, protoX, protoY);
                float d = sample(logits, ph, pw, nx1, ny1, protoX, protoY);
                float top2 = a + (b - a) * wx;
                float bottom2 = c + (d - c) * wx;
                if (top2 + (bottom2 - top2) * wy > 0f) {
                    mask[y * w + x] = 1;
                }
            }
        }
        return mask;
    }

    /** Source coordinate of destination pixel {@code d} for a resize by 1/scale (half-pixel, clamped). */
    private static float source(int d, float scale, int size) {
        float s = Math.max((d + 0.5f) * scale - 0.5f, 0f);
        return Math.min(s, size - 1);
    }

    /** The network-size map's pixel (x, y): bilinear from the prototypes. */
    private static float sample(float[] logits, int ph, int pw, int x, int y, float protoX, float protoY) {
        float fx = Math.max((x + 0.5f) * protoX - 0.5f, 0f);
        float fy = Math.max((y + 0.5f) * protoY - 0.5f, 0f);
        int x0 = Math.min((int) fx, pw - 1);
        int y0 = Math.min((int) fy, ph - 1);
        int x1 = Math.min(x0 + 1, pw - 1);
        int y1 = Math.min(y0 + 1, ph - 1);
        float wx = fx - x0;
        float wy = fy - y0;
        float top = logits[y0 * pw + x0] + (logits[y0 * pw + x1] - logits[y0 * pw + x0]) * wx;
        float bottom = logits[y1 * pw + x0] + (logits[y1 * pw + x1] - logits[y1 * pw + x0]) * wx;
        return top + (bottom - top) * wy;
    }
}
