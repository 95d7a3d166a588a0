package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.json.AnswerFields;
import java.io.IOException;
import java.util.List;

/**
 * The K best classes of a classifier's answer as /predict writes them: {index, score, label} by score,
 * highest first; one list for a single item, a list of lists for several.
 */
final class TopK {
    private TopK() {
    }

    static void write(JsonGenerator g, List<ImageAnswer> answers) throws IOException {
        if (answers.size() != 1) {
            g.writeStartArray();
        }
        for (ImageAnswer a : answers) {
            AnswerFields.classes(g, a.classes());
        }
        if (answers.size() != 1) {
            g.writeEndArray();
        }
    }
}
