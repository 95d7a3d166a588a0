package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The K best classes of one image's classifier output (its first output), ordered as /predict's top_k:
 * by score, highest first, ties by class index. Scores are the output's values as the model gives them.
 */
public final class TopClasses {
    /** @param label null when there are no labels or the index is beyond them */
    public record Entry(int index, double score, String label) {
    }

    private TopClasses() {
    }

    /** @param k classes to keep; at most as many as the output has */
    public static List<Entry> of(Tensor scores, int k, List<String> labels) {
        long[] shape = scores.shape();
        double[] row = scores.toDoubles();
        if (shape.length > 2 || (shape.length == 2 && shape[0] != 1)) {
            throw ServingException.badInput("top-k needs a classifier: one row of class scores per image, but the "
                    + "first output has shape " + Arrays.toString(shape));
        }
        Integer[] order = new Integer[row.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> row[i]).reversed());
        List<Entry> best = new ArrayList<>(Math.min(k, row.length));
        for (int i = 0; i < Math.min(k, row.length); i++) {
            int idx = order[i];
            best.add(new Entry(idx, row[idx], labels != null && idx < labels.size() ? labels.get(idx) : null));
        }
        return best;
    }
}
