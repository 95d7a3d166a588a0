package com.modelfactory.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Compares detections with a reference pipeline's as the vision issue states it: matched one to one
 * (greedily, best IoU first) with IoU >= 0.9, the same class, scores within 0.03. A reference or actual
 * box with no partner is allowed only when its score lies within 0.03 of the threshold (int8 kernels and
 * JPEG decoders may put a borderline box on either side).
 */
public final class Detections {
    public static final double MIN_IOU = 0.9;
    public static final double SCORE_TOLERANCE = 0.03;

    private Detections() {
    }

    /** @return for each expected detection the index of its match in {@code actual}, or -1 */
    public static int[] assertMatch(JsonArray expected, JsonArray actual, double conf, String what) {
        int[] match = new int[expected.size()];
        boolean[] used = new boolean[actual.size()];
        for (int e = 0; e < expected.size(); e++) {
            JsonObject x = expected.getJsonObject(e);
            int best = -1;
            double bestIou = 0;
            for (int a = 0; a < actual.size(); a++) {
                JsonObject y = actual.getJsonObject(a);
                if (used[a] || !x.getInteger("class_id").equals(y.getInteger("class_id"))) {
                    continue;
                }
                double iou = iou(x.getJsonArray("box"), y.getJsonArray("box"));
                if (iou > bestIou) {
                    bestIou = iou;
                    best = a;
                }
            }
            double score = x.getDouble("score");
            if (best < 0 || bestIou < MIN_IOU) {
                assertTrue(score - conf <= SCORE_TOLERANCE, what + ": reference detection " + x + " has no match "
                        + "(best IoU " + bestIou + ") in " + actual.encode());
                match[e] = -1;
                continue;
            }
            used[best] = true;
            match[e] = best;
            assertEquals(score, actual.getJsonObject(best).getDouble("score"), SCORE_TOLERANCE,
                    what + ": score of " + x + " vs " + actual.getJsonObject(best));
        }
        for (int a = 0; a < actual.size(); a++) {
            if (!used[a] && actual.getJsonObject(a).getDouble("score") - conf > SCORE_TOLERANCE) {
                fail(what + ": detection " + actual.getJsonObject(a) + " is not in the reference " + expected.encode());
            }
        }
        return match;
    }

    public static double iou(JsonArray a, JsonArray b) {
        double w = Math.min(a.getDouble(2), b.getDouble(2)) - Math.max(a.getDouble(0), b.getDouble(0));
        double h = Math.min(a.getDouble(3), b.getDouble(3)) - Math.max(a.getDouble(1), b.getDouble(1));
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double areaA = (a.getDouble(2) - a.getDouble(0)) * (a.getDouble(3) - a.getDouble(1));
        double areaB = (b.getDouble(2) - b.getDouble(0)) * (b.getDouble(3) - b.getDouble(1));
        return inter / (areaA + areaB - inter);
    }
}
