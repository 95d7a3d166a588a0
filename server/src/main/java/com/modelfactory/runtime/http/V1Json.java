package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * TF Serving :predict responses. Row requests get {"predictions": [...]}, one entry per batch row: the
 * value itself for a model with one output, else {output: value}. Columnar requests get {"outputs": ...}:
 * the tensor itself for one output, else {output: tensor}. BYTES values are strings; an output whose
 * name ends in "_bytes", and any element that is not UTF-8 text, is written as {"b64": "..."}.
 */
final class V1Json {
    private V1Json() {
    }

    static byte[] predictions(Map<String, Tensor> outputs) {
        long rows = rows(outputs);
        return write(g -> {
            g.writeArrayFieldStart("predictions");
            for (int r = 0; r < rows; r++) {
                if (outputs.size() == 1) {
                    row(g, outputs.keySet().iterator().next(), outputs.values().iterator().next(), r);
                    continue;
                }
                g.writeStartObject();
                for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                    g.writeFieldName(e.getKey());
                    row(g, e.getKey(), e.getValue(), r);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    static byte[] outputs(Map<String, Tensor> outputs) {
        return write(g -> {
            g.writeFieldName("outputs");
            if (outputs.size() == 1) {
                tensor(g, outputs.keySet().iterator().next(), outputs.values().iterator().next());
                return;
            }
            g.writeStartObject();
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                g.writeFieldName(e.getKey());
                tensor(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** Every output's first dimension, which must be one and the same batch size. */
    private static long rows(Map<String, Tensor> outputs) {
        long rows = -1;
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            long[] shape = e.getValue().shape();
            long n = shape.length == 0 ? -1 : shape[0];
            if (n < 0 || (rows >= 0 && n != rows)) {
                throw ServingException.badInput("the outputs have inconsistent batch sizes (output '" + e.getKey()
                        + "' has shape " + java.util.Arrays.toString(shape) + "); send the request in the columnar "
                        + "format (\"inputs\") instead");
            }
            rows = n;
        }
        return rows;
    }

    private static void row(JsonGenerator g, String name, Tensor t, int r) throws IOException {
        if (bytesNamed(name, t)) {
            long rowSize = t.elementCount() / t.shape()[0];
            b64s(g, t, r * rowSize, rowSize, t.shape().length > 1);
        } else {
            TensorJsonWriter.writeRow(g, t, r);
        }
    }

    private static void tensor(JsonGenerator g, String name, Tensor t) throws IOException {
        if (bytesNamed(name, t)) {
            b64s(g, t, 0, t.elementCount(), t.shape().length > 0);
        } else {
            TensorJsonWriter.writeNested(g, t);
        }
    }

    /** TF Serving writes DT_STRING outputs named *_bytes as base64 objects (flat here, for nested shapes too). */
    private static boolean bytesNamed(String name, Tensor t) {
        return t.dataType() == DataType.BYTES && name.endsWith("_bytes");
    }

    private static void b64s(JsonGenerator g, Tensor t, long from, long count, boolean array) throws IOException {
        if (array) {
            g.writeStartArray();
        }
        for (long i = from; i < from + count; i++) {
            TensorJsonWriter.writeB64(g, t.bytesElement((int) i));
        }
        if (array) {
            g.writeEndArray();
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
