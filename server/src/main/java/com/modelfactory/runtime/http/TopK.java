package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The K best classes of a classifier output, with labels when a labels file is present. */
final class TopK {
    private TopK() {
    }

    /** One list for a single item; a list of lists when the output holds several rows. */
    static void write(JsonGenerator g, Tensor scores, int k, List<String> labels) throws IOException {
        long[] shape = scores.shape();
        double[] all = scores.toDoubles();
        int rows = shape.length >= 2 ? (int) shape[0] : 1;
        int classes = rows == 0 ? 0 : all.length / rows;
        if (rows != 1) {
            g.writeStartArray();
        }
        for (int r = 0; r < rows; r++) {
            double[] row = Arrays.copyOfRange(all, r * classes, (r + 1) * classes);
            Integer[] order = new Integer[classes];
            for (int i = 0; i < classes; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> row[i]).reversed());
            g.writeStartArray();
            for (int i = 0; i < Math.min(k, classes); i++) {
                int idx = order[i];
                g.writeStartObject();
                g.writeNumberField("index", idx);
                g.writeNumberField("score", row[idx]);
                if (labels != null && idx < labels.size()) {
                    g.writeStringField("label", labels.get(idx));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (rows != 1) {
            g.writeEndArray();
        }
    }
}
