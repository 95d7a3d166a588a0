package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.error.ServingException;

/**
 * A request's post-processing settings: the model's defaults, each overridable per request
 * ({@code /predict?conf=&iou=&max_det=}, v2 request parameters).
 *
 * @param topK classes a classifier answers (0 = every class)
 */
public record AnswerOptions(float conf, float iou, int maxDet, boolean agnostic, int topK) {

    /** The defaults with a request's overrides (null = not given); a bad value is a 400. */
    public AnswerOptions with(Object conf, Object iou, Object maxDet, Object topK) {
        return new AnswerOptions(conf == null ? this.conf : unit("conf", conf),
                iou == null ? this.iou : unit("iou", iou),
                maxDet == null ? this.maxDet : positive("max_det", maxDet),
                agnostic, topK == null ? this.topK : positive("top_k", topK));
    }

    private static float unit(String name, Object v) {
        float f;
        try {
            f = v instanceof Number n ? n.floatValue() : Float.parseFloat(v.toString().trim());
        } catch (NumberFormatException e) {
            throw ServingException.badInput(name + " must be a number from 0 to 1, got '" + v + "'");
        }
        if (!(f >= 0f && f <= 1f)) {
            throw ServingException.badInput(name + " must be a number from 0 to 1, got '" + v + "'");
        }
        return f;
    }

    private static int positive(String name, Object v) {
        try {
            long n = v instanceof Number num && (num.doubleValue() == num.longValue()) ? num.longValue()
                    : Long.parseLong(v.toString().trim());
            if (n > 0 && n <= 100_000) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ServingException.badInput(name + " must be a whole number from 1 to 100000, got '" + v + "'");
    }
}
