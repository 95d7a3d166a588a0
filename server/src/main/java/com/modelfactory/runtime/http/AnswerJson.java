package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.json.AnswerFields;
import com.modelfactory.runtime.serving.ModelInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * /predict's answer for detectors and segmenters: {"model_name", "task", "image": {width, height},
 * "detections": [{box: [x1, y1, x2, y2], score, class_id, label}], "segments": [...]} in original image
 * pixels; several images (a JSON request of instances) as {"model_name", "task", "answers": [...]}.
 */
final class AnswerJson {
    private AnswerJson() {
    }

    static byte[] predict(ModelInfo model, List<ImageAnswer> answers) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", model.name());
            g.writeStringField("task", model.task().task().wireName());
            if (answers.size() == 1) {
                fields(g, answers.get(0));
            } else {
                g.writeArrayFieldStart("answers");
                for (ImageAnswer a : answers) {
                    g.writeStartObject();
                    fields(g, a);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void fields(JsonGenerator g, ImageAnswer a) throws IOException {
        AnswerFields.write(g, a);
    }
}
