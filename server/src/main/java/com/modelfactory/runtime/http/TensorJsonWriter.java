package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/** Tensors as Open Inference Protocol JSON: responses, flat or nested data. */
final class TensorJsonWriter {
    private TensorJsonWriter() {
    }

    /** An OIP inference response; {@code id} is echoed when the request had one. */
    static byte[] inferResponse(String modelName, String modelVersion, String id, Map<String, Tensor> outputs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + outputs.size() * 1024);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            if (modelVersion != null) {
                g.writeStringField("model_version", modelVersion);
            }
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeFieldName("outputs");
            writeOutputs(g, outputs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static void writeOutputs(JsonGenerator g, Map<String, Tensor> outputs) throws IOException {
        g.writeStartArray();
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor t = e.getValue();
            g.writeStartObject();
            g.writeStringField("name", e.getKey());
            g.writeStringField("datatype", t.dataType().name());
            g.writeFieldName("shape");
            g.writeArray(t.shape(), 0, t.shape().length);
            g.writeFieldName("data");
            g.writeStartArray();
            writeRange(g, t, 0, (int) t.elementCount());
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Writes the tensor as nested arrays following its shape. */
    static void writeNested(JsonGenerator g, Tensor t) throws IOException {
        long[] shape = t.shape();
        if (shape.length == 0) {
            writeRange(g, t, 0, 1);
            return;
        }
        writeNested(g, t, shape, 0, 0);
    }

    private static int writeNested(JsonGenerator g, Tensor t, long[] shape, int dim, int offset) throws IOException {
        g.writeStartArray();
        if (dim == shape.length - 1) {
            writeRange(g, t, offset, (int) shape[dim]);
            offset += (int) shape[dim];
        } else {
            for (long i = 0; i < shape[dim]; i++) {
                offset = writeNested(g, t, shape, dim + 1, offset);
            }
        }
        g.writeEndArray();
        return offset;
    }

    private static void writeRange(JsonGenerator g, Tensor t, int from, int count) throws IOException {
        ByteBuffer b = t.data();
        for (int i = from; i < from + count; i++) {
            switch (t.dataType()) {
                case FP32 -> writeFloat(g, b.getFloat(i * 4));
                case FP64 -> writeDouble(g, b.getDouble(i * 8));
                case FP16 -> writeFloat(g, com.modelfactory.runtime.engine.Half.toFloat(b.getShort(i * 2)));
                case INT8 -> g.writeNumber(b.get(i));
                case UINT8 -> g.writeNumber(b.get(i) & 0xff);
                case BOOL -> g.writeBoolean(b.get(i) != 0);
                case INT16 -> g.writeNumber(b.getShort(i * 2));
                case UINT16 -> g.writeNumber(b.getShort(i * 2) & 0xffff);
                case INT32 -> g.writeNumber(b.getInt(i * 4));
                case UINT32 -> g.writeNumber(b.getInt(i * 4) & 0xffffffffL);
                case INT64 -> g.writeNumber(b.getLong(i * 8));
                case UINT64 -> g.writeNumber(Long.toUnsignedString(b.getLong(i * 8)));
                default -> throw new IllegalStateException("cannot write " + t.dataType());
            }
        }
    }

    /** JSON has no NaN or infinity; they are written as strings, as Triton and KServe do. */
    private static void writeFloat(JsonGenerator g, float f) throws IOException {
        if (Float.isFinite(f)) {
            g.writeNumber(f);
        } else {
            g.writeString(Float.toString(f));
        }
    }

    private static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isFinite(d)) {
            g.writeNumber(d);
        } else {
            g.writeString(Double.toString(d));
        }
    }
}
