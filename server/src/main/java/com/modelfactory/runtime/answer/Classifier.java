package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A classifier's answer from its first output (one row of scores per item): probabilities, by score,
 * highest first. A row is taken as probabilities when its values lie in [0, 1] and sum to 1 (the graph
 * ends in a softmax), else a softmax is applied (logits); {@code scores: softmax | raw} fixes the choice.
 */
final class Classifier {
    private Classifier() {
    }

    static List<ClassScore> top(Tensor scores, int item, int k, String mode, Labels labels) {
        float[] v = Outputs.item(scores, item, 0);
        int n = Outputs.perItem(scores);
        float[] p = Outputs.scratch(1, n);
        System.arraycopy(v, 0, p, 0, n);
        if (mode.equals("softmax") || (mode.equals("auto") && !probabilities(p, n))) {
            softmax(p, n);
        }
        int keep = k <= 0 ? n : Math.min(k, n);
        // one sort of (score, index) keys: highest first, ties by index; NaN last
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.isNaN(p[i]) ? 0x7fc00000 : Float.floatToIntBits(p[i] + 0.0f);
            int ordered = bits < 0 ? ~bits : bits | Integer.MIN_VALUE; // unsigned order = float order
            long descending = ~(ordered & 0xffffffffL) & 0xffffffffL;
            long d = Float.isNaN(p[i]) ? 0xffffffffL : descending;
            keys[i] = (d - 0x80000000L) << 32 | i; // shifted into the signed range: the sort keeps the order
        }
        java.util.Arrays.sort(keys);
        List<ClassScore> out = new ArrayList<>(keep);
        for (int r = 0; r < keep; r++) {
            int i = (int) keys[r];
            out.add(new ClassScore(i, labels.of(i), p[i]));
        }
        return out;
    }

    static boolean probabilities(float[] p, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!(p[i] >= 0f && p[i] <= 1f)) {
                return false;
            }
            sum += p[i];
        }
        return Math.abs(sum - 1.0) < 1e-3;
    }

    static void softmax(float[] p, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, p[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.exp(p[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] = (float) (p[i] / sum);
        }
    }
}
