package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.image.ImageFrame;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * YOLOv8-seg masks as Ultralytics' process_mask and scale_masks make them: the kept box's coefficients
 * times the prototypes, zeroed outside the box (at prototype scale), bilinearly upsampled to the network
 * input, the letterbox padding cut off, bilinearly resized to the original image, set where the logit is
 * above 0 (sigmoid above 0.5), and cleared outside the box. Only what lies inside the box is computed:
 * the prototype cells the crop keeps and the original pixels of the box (no image-sized array).
 */
final class InstanceMasks {
    /** One item's detection output and prototypes, read once for all its instances. */
    record Protos(float[] det, int rows, int anchors, float[] protos, int m, int ph, int pw) {
    }

    private InstanceMasks() {
    }

    /** Reads item {@code item}'s outputs (scratch slots 0 and 1: after decoding, which used them). */
    static Protos read(Map<String, Tensor> outputs, int item) {
        Iterator<Tensor> it = outputs.values().iterator();
        Tensor det = it.next();
        Tensor protos = it.next();
        long[] p = protos.shape();
        return new Protos(Outputs.item(det, item, 0), (int) det.shape()[1], (int) det.shape()[2],
                Outputs.item(protos, item, 1), (int) p[1], (int) p[2], (int) p[3]);
    }

    /** The instance's segment: its mask over the original image, as COCO counts. */
    static Segment segment(Protos p, int anchor, float[] netBox, ImageFrame f, int classId, String label,
                           float score) {
        float[] logits = Outputs.scratch(2, p.ph() * p.pw());
        Arrays.fill(logits, 0, p.ph() * p.pw(), 0f);
        cropped(p, anchor, netBox, f, logits);
        int xs = Math.max(0, (int) Math.ceil(f.originalX(netBox[0])));
        int xe = Math.min(f.width(), (int) Math.ceil(f.originalX(netBox[2])));
        int ys = Math.max(0, (int) Math.ceil(f.originalY(netBox[1])));
        int ye = Math.min(f.height(), (int) Math.ceil(f.originalY(netBox[3])));
        int rw = Math.max(0, xe - xs);
        int rh = Math.max(0, ye - ys);
        byte[] region = new byte[rw * rh];
        upsampled(logits, p.ph(), p.pw(), f, xs, ys, rw, rh, region);
        long[] counts = CocoRle.countsInRegion(region, xs, ys, rw, rh, f.height(), f.width());
        return CocoRle.segment(counts, f.height(), f.width(), classId, label, score);
    }

    /**
     * The mask logits of the prototype cells Ultralytics' crop_mask keeps (column c with x1 <= c < x2 of
     * the box at prototype scale, rows likewise); every other cell stays 0.
     */
    private static void cropped(Protos p, int anchor, float[] box, ImageFrame f, float[] logits) {
        float sx = (float) p.pw() / f.inputWidth();
        float sy = (float) p.ph() / f.inputHeight();
        int c0 = Math.max(0, (int) Math.ceil(box[0] * sx));
        int c1 = Math.min(p.pw(), (int) Math.ceil(box[2] * sx));
        int r0 = Math.max(0, (int) Math.ceil(box[1] * sy));
        int r1 = Math.min(p.ph(), (int) Math.ceil(box[3] * sy));
        int plane = p.ph() * p.pw();
        int first = p.rows() - p.m();
        float[] det = p.det();
        float[] protos = p.protos();
        for (int k = 0; k < p.m(); k++) {
            float coef = det[(first + k) * p.anchors() + anchor];
            int base = k * plane;
            for (int r = r0; r < r1; r++) {
                int row = r * p.pw();
                for (int c = c0; c < c1; c++) {
                    logits[row + c] += coef * protos[base + row + c];
                }
            }
        }
    }

    /**
     * The box's pixels of the original image: each sampled from the network-size upsampled logits of the
     * unpadded region, each of those from the prototypes (both bilinear, half-pixel centres, as
     * F.interpolate with align_corners=False and cv2.resize INTER_LINEAR).
     */
    private static void upsampled(float[] logits, int ph, int pw, ImageFrame f, int xs, int ys, int rw, int rh,
                                  byte[] region) {
        int w = f.width();
        int h = f.height();
        int iw = f.inputWidth();
        int ih = f.inputHeight();
        // the unpadded region, as Ultralytics' scale_masks cuts it: round(pad - 0.1) .. round(size - pad + 0.1)
        float padX = (iw - w * f.scaleX()) / 2f;
        float padY = (ih - h * f.scaleY()) / 2f;
        boolean centred = f.padLeft() > 0 || f.padTop() > 0;
        int left = (int) f.padLeft();
        int top = (int) f.padTop();
        int right = centred ? Math.round(iw - padX + 0.1f) : (int) (w * f.scaleX());
        int bottom = centred ? Math.round(ih - padY + 0.1f) : (int) (h * f.scaleY());
        right = Math.min(Math.max(right, left + 1), iw);
        bottom = Math.min(Math.max(bottom, top + 1), ih);
        float cropW = right - left;
        float cropH = bottom - top;
        float protoX = (float) pw / iw;
        float protoY = (float) ph / ih;
        for (int y = ys; y < ys + rh; y++) {
            float ny = top + source(y, cropH / h, (int) cropH);
            int ny0 = (int) ny;
            int ny1 = Math.min(ny0 + 1, bottom - 1);
            float wy = ny - ny0;
            for (int x = xs; x < xs + rw; x++) {
                float nx = left + source(x, cropW / w, (int) cropW);
                int nx0 = (int) nx;
                int nx1 = Math.min(nx0 + 1, right - 1);
                float wx = nx - nx0;
                float a = sample(logits, ph, pw, nx0, ny0, protoX, protoY);
                float b = sample(logits, ph, pw, nx1, ny0, protoX, protoY);
                float c = sample(logits, ph, pw, nx0, ny1, protoX, protoY);
                float d = sample(logits, ph, pw, nx1, ny1, protoX, protoY);
                float upper = a + (b - a) * wx;
                float lower = c + (d - c) * wx;
                if (upper + (lower - upper) * wy > 0f) {
                    region[(y - ys) * rw + (x - xs)] = 1;
                }
            }
        }
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
