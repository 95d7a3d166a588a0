package com.modelfactory.runtime.batch.ymir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * YMIR's mining result ({@code result.tsv}, ../shared/YMIR.md section 9): one line per image, the index
 * line as given, a TAB, its score; most uncertain first. The uncertainty, from the same pass's records:
 * <ul>
 * <li>classifier: the entropy of the class probabilities, divided by log(C) (0 certain, 1 uniform);</li>
 * <li>detector, instance segmenter: the mean binary entropy (base 2) of the detections' scores (a box at
 *     0.5 counts 1, one at 0.99 counts 0.08); an image with no detection scores 0;</li>
 * <li>semantic segmenter (no per-pixel scores in the answer): 1 - the largest class's share of the image;</li>
 * <li>an image that could not be run: 0 (listed, last).</li>
 * </ul>
 */
final class MiningResult {
    private MiningResult() {
    }

    private record Scored(String path, double score) {
    }

    static int write(Path records, Path target) throws IOException {
        List<Scored> all = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(records, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    JsonObject r = new JsonObject(line);
                    all.add(new Scored(r.getString("path"), uncertainty(r)));
                }
            }
        }
        all.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::path));
        StringBuilder out = new StringBuilder();
        for (Scored s : all) {
            out.append(s.path()).append('\t').append(String.format(Locale.ROOT, "%.6f", s.score())).append('\n');
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        OutFiles.replace(target, o -> o.write(bytes));
        return all.size();
    }

    static double uncertainty(JsonObject r) {
        if (r.containsKey("top_k")) {
            return normalisedEntropy(r.getJsonArray("top_k"));
        }
        if (r.containsKey("detections")) {
            JsonArray d = r.getJsonArray("detections");
            double sum = 0;
            for (int i = 0; i < d.size(); i++) {
                sum += binaryEntropy(d.getJsonObject(i).getDouble("score"));
            }
            return d.isEmpty() ? 0 : sum / d.size();
        }
        if (r.containsKey("segments") && r.containsKey("image")) {
            JsonObject image = r.getJsonObject("image");
            double pixels = (double) image.getInteger("width") * image.getInteger("height");
            long largest = 0;
            JsonArray s = r.getJsonArray("segments");
            for (int i = 0; i < s.size(); i++) {
                largest = Math.max(largest, s.getJsonObject(i).getLong("area"));
            }
            return pixels <= 0 ? 0 : 1 - largest / pixels;
        }
        return 0;
    }

    static double binaryEntropy(double p) {
        if (!(p > 0 && p < 1)) {
            return 0;
        }
        return -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
    }

    private static double normalisedEntropy(JsonArray classes) {
        int n = classes.size();
        if (n < 2) {
            return 0;
        }
        double h = 0;
        for (int i = 0; i < n; i++) {
            Object v = classes.getJsonObject(i).getValue("score");
            double p = v instanceof Number num ? num.doubleValue() : 0;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(n);
    }
}
