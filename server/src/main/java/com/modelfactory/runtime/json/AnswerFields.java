package com.modelfactory.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.answer.ClassScore;
import com.modelfactory.runtime.answer.Detection;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.answer.Segment;
import com.modelfactory.runtime.answer.Task;
import java.io.IOException;
import java.util.List;

/**
 * One image's answer as JSON fields, the same in /predict's answer and in batch records:
 * {@code "image": {width, height}, "detections": [{box: [x1, y1, x2, y2], score, class_id, label}],
 * "segments": [{class_id, label, score (instances only), area, bbox: [x, y, w, h], rle: {size: [h, w],
 * counts}}]} (segments only for segmenters); a classifier's {@code top_k}: [{index, score, label}].
 */
public final class AnswerFields {
    private AnswerFields() {
    }

    public static void write(JsonGenerator g, ImageAnswer a) throws IOException {
        if (a.task() == Task.CLASSIFICATION) {
            g.writeFieldName("top_k");
            classes(g, a.classes());
            return;
        }
        g.writeObjectFieldStart("image");
        g.writeNumberField("width", a.width());
        g.writeNumberField("height", a.height());
        g.writeEndObject();
        if (a.task() != Task.SEMANTIC_SEGMENTATION) {
            detections(g, a.detections());
        }
        if (a.task() == Task.SEMANTIC_SEGMENTATION || a.task() == Task.INSTANCE_SEGMENTATION) {
            segments(g, a.segments());
        }
    }

    public static void classes(JsonGenerator g, List<ClassScore> classes) throws IOException {
        g.writeStartArray();
        for (ClassScore c : classes) {
            g.writeStartObject();
            g.writeNumberField("index", c.classId());
            g.writeNumberField("score", c.score());
            g.writeStringField("label", c.label());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void detections(JsonGenerator g, List<Detection> detections) throws IOException {
        g.writeArrayFieldStart("detections");
        for (Detection d : detections) {
            g.writeStartObject();
            g.writeArrayFieldStart("box");
            g.writeNumber(hundredths(d.x1()));
            g.writeNumber(hundredths(d.y1()));
            g.writeNumber(hundredths(d.x2()));
            g.writeNumber(hundredths(d.y2()));
            g.writeEndArray();
            g.writeNumberField("score", d.score());
            g.writeNumberField("class_id", d.classId());
            g.writeStringField("label", d.label());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void segments(JsonGenerator g, List<Segment> segments) throws IOException {
        g.writeArrayFieldStart("segments");
        for (Segment s : segments) {
            g.writeStartObject();
            g.writeNumberField("class_id", s.classId());
            g.writeStringField("label", s.label());
            if (s.score() != null) {
                g.writeNumberField("score", s.score());
            }
            g.writeNumberField("area", s.area());
            g.writeArrayFieldStart("bbox");
            for (int v : s.bbox()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("rle");
            g.writeArrayFieldStart("size");
            g.writeNumber(s.height());
            g.writeNumber(s.width());
            g.writeEndArray();
            g.writeStringField("counts", s.counts());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Two decimals: a hundredth of a pixel is below any model's precision and keeps answers short. */
    private static double hundredths(float v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
