package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.json.JsonElements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Tensors as JSON: OIP output tensors, flat or nested data, rows (TF Serving), BYTES as strings. */
final class TensorJsonWriter {
    private TensorJsonWriter() {
    }

    /** An OIP inference response with every output as JSON data; {@code id} is echoed when given. */
    static byte[] inferResponse(String modelName, String modelVersion, String id, Map<String, Tensor> outputs) {
        return InferResponse.render(modelName, modelVersion, id, outputs, name -> false).body();
    }

    /** The "outputs" array of OIP tensors, every one with its data as JSON. */
    static void writeOutputs(JsonGenerator g, Map<String, Tensor> outputs) throws IOException {
        g.writeStartArray();
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            writeOutput(g, e.getKey(), e.getValue(), -1);
        }
        g.writeEndArray();
    }

    /**
     * One OIP output tensor: its data as a flat JSON array, or, when {@code binarySize} >= 0, only the
     * {@code binary_data_size} parameter (its bytes go to the binary tail).
     */
    static void writeOutput(JsonGenerator g, String name, Tensor t, long binarySize) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", t.dataType().name());
        g.writeFieldName("shape");
        g.writeArray(t.shape(), 0, t.shape().length);
        if (binarySize >= 0) {
            g.writeObjectFieldStart("parameters");
            g.writeNumberField("binary_data_size", binarySize);
            g.writeEndObject();
        } else {
            g.writeFieldName("data");
            g.writeStartArray();
            writeRange(g, t, 0, (int) t.elementCount(), name);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Writes the tensor as nested arrays following its shape. */
    static void writeNested(JsonGenerator g, Tensor t) throws IOException {
        long[] shape = t.shape();
        if (shape.length == 0) {
            writeRange(g, t, 0, 1, null);
            return;
        }
        writeNested(g, t, shape, 0, 0);
    }

    /** Row {@code row} of the tensor (its first dimension): a value for rank 1, nested arrays beyond. */
    static void writeRow(JsonGenerator g, Tensor t, int row) throws IOException {
        long[] shape = t.shape();
        if (shape.length == 1) {
            writeRange(g, t, row, 1, null);
            return;
        }
        long rowSize = Tensor.elementCount(java.util.Arrays.copyOfRange(shape, 1, shape.length));
        writeNested(g, t, shape, 1, (int) (row * rowSize));
    }

    private static int writeNested(JsonGenerator g, Tensor t, long[] shape, int dim, int offset) throws IOException {
        g.writeStartArray();
        if (dim == shape.length - 1) {
            writeRange(g, t, offset, (int) shape[dim], null);
            offset += (int) shape[dim];
        } else {
            for (long i = 0; i < shape[dim]; i++) {
                offset = writeNested(g, t, shape, dim + 1, offset);
            }
        }
        g.writeEndArray();
        return offset;
    }

    /**
     * Elements {@code from..from+count}. BYTES elements are strings (they must be UTF-8 text); with
     * {@code b64Name} null a non-text element is written as {"b64": "..."} (TF Serving's form), else it is
     * refused naming that output, since the OIP has no JSON form for binary strings.
     */
    private static void writeRange(JsonGenerator g, Tensor t, int from, int count, String b64Name) throws IOException {
        ByteBuffer b = t.data();
        for (int i = from; i < from + count; i++) {
            if (t.dataType() == DataType.BYTES) {
                writeString(g, t.bytesElement(i), b64Name);
            } else {
                JsonElements.write(g, t, b, i);
            }
        }
    }

    private static void writeString(JsonGenerator g, ByteBuffer bytes, String refuseAs) throws IOException {
        String text = Utf8.decode(bytes);
        if (text != null) {
            g.writeString(text);
        } else if (refuseAs == null) {
            writeB64(g, bytes);
        } else {
            throw ServingException.badInput("output '" + refuseAs + "' holds bytes that are not UTF-8 text, which JSON"
                    + " cannot carry; request it with \"parameters\": {\"binary_data\": true}");
        }
    }

    /** {"b64": "..."}: TF Serving's JSON form of binary strings. */
    static void writeB64(JsonGenerator g, ByteBuffer bytes) throws IOException {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        g.writeStartObject();
        g.writeStringField("b64", Base64.getEncoder().encodeToString(copy));
        g.writeEndObject();
    }

    /** Strict UTF-8: null when the bytes are not valid text. */
    static final class Utf8 {
        private Utf8() {
        }

        static String decode(ByteBuffer bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.duplicate()).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }

}
