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
        List<ClassScore> out = new ArrayList<>(keep);
        boolean[] taken = new boolean[n];
        for (int r = 0; r < keep; r++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (!taken[i] && (best < 0 || p[i] > p[best] || (Float.isNaN(p[best]) && !Float.isNaN(p[i])))) {
                    best = i;
                }
            }
            taken[best] = true;
            out.add(new ClassScore(best, labels.of(best), p[best]));
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
