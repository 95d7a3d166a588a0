package com.modelfactory.runtime.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.json.AnswerFields;
import com.modelfactory.runtime.json.JsonElements;
import com.modelfactory.runtime.answer.ImageAnswer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One image's record, one JSON line: {@code {"path", "outputs": {name: {datatype, shape, data}}}},
 * {@code {"path", "top_k": [{index, score, label}]}} or {@code {"path", "error"}}. Numbers are written as
 * /predict writes them (shortest round-trip form; NaN and infinities as strings), so a record holds
 * exactly the values /predict answers for the same file.
 */
public final class RecordJson {
    private RecordJson() {
    }

    public static String outputs(String key, Map<String, Tensor> outputs) {
        return render(key, g -> {
            g.writeObjectFieldStart("outputs");
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                Tensor t = e.getValue();
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("datatype", t.dataType().name());
                g.writeFieldName("shape");
                g.writeArray(t.shape(), 0, t.shape().length);
                g.writeArrayFieldStart("data");
                writeData(g, t);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    public static String topK(String key, List<TopClasses.Entry> best) {
        return render(key, g -> {
            g.writeArrayFieldStart("top_k");
            for (TopClasses.Entry e : best) {
                g.writeStartObject();
                g.writeNumberField("index", e.index());
                g.writeNumberField("score", e.score());
                if (e.label() != null) {
                    g.writeStringField("label", e.label());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** A task model's record: its answer's fields after the path ({@link AnswerFields}). */
    public static String answer(String key, ImageAnswer answer) {
        return render(key, g -> AnswerFields.write(g, answer));
    }

    public static String error(String key, String message) {
        return render(key, g -> g.writeStringField("error", message));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String render(String key, Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = ResultFile.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("path", key);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeData(JsonGenerator g, Tensor t) throws IOException {
        if (t.dataType() == DataType.BYTES) {
            for (byte[] element : t.bytesElements()) {
                g.writeString(new String(element, StandardCharsets.UTF_8));
            }
            return;
        }
        ByteBuffer b = t.data();
        int n = (int) t.elementCount();
        for (int i = 0; i < n; i++) {
            JsonElements.write(g, t, b, i);
        }
    }
}
