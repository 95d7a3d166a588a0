package com.modelfactory.runtime.answer;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression as torchvision's {@code nms} and Ultralytics do it: by score, highest
 * first (ties by position), a box is kept unless a kept box of the same class (any class when agnostic)
 * overlaps it with IoU above the threshold. Works on {@link Candidates}' arrays with one sort key per
 * box and a reused order array: no object per box.
 */
final class Nms {
    /** Candidates beyond this many (by score) are not considered, as Ultralytics' max_nms. */
    static final int MAX_CANDIDATES = 30_000;

    private long[] keys = new long[64];
    private int[] kept = new int[64];
    private boolean[] removed = new boolean[64];

    /**
     * @return the indices of the kept boxes, best first, in {@code out()} positions 0..n-1; n is returned
     */
    int run(Candidates c, float iou, boolean agnostic, int maxDet, boolean suppress) {
        int n = c.size;
        if (keys.length < n) {
            keys = new long[n];
            kept = new int[n];
            removed = new boolean[n];
        }
        for (int i = 0; i < n; i++) {
            // scores are finite; flipping the bits of negative floats keeps the key order the score order
            int bits = Float.floatToIntBits(c.score[i] + 0.0f); // -0.0 as 0.0
            bits = bits < 0 ? ~bits : bits | Integer.MIN_VALUE;
            long descending = ~(bits & 0xffffffffL) & 0xffffffffL;
            keys[i] = (descending - 0x80000000L) << 32 | i; // into the signed range: the sort keeps the order
        }
        Arrays.sort(keys, 0, n);
        int considered = Math.min(n, MAX_CANDIDATES);
        int count = 0;
        Arrays.fill(removed, 0, n, false);
        for (int k = 0; k < considered && count < maxDet; k++) {
            int i = (int) keys[k];
            if (removed[i]) {
                continue;
            }
            kept[count++] = i;
            if (!suppress) {
                continue;
            }
            for (int m = k + 1; m < considered; m++) {
                int j = (int) keys[m];
                if (!removed[j] && (agnostic || c.classId[j] == c.classId[i]) && iou(c, i, j) > iou) {
                    removed[j] = true;
                }
            }
        }
        return count;
    }

    int[] out() {
        return kept;
    }

    static float iou(Candidates c, int i, int j) {
        float w = Math.min(c.x2[i], c.x2[j]) - Math.max(c.x1[i], c.x1[j]);
        float h = Math.min(c.y2[i], c.y2[j]) - Math.max(c.y1[i], c.y1[j]);
        if (w <= 0 || h <= 0) {
            return 0f;
        }
        float inter = w * h;
        float a = (c.x2[i] - c.x1[i]) * (c.y2[i] - c.y1[i]);
        float b = (c.x2[j] - c.x1[j]) * (c.y2[j] - c.y1[j]);
        return inter / (a + b - inter);
    }
}
