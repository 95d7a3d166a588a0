package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An OIP inference response. Outputs asked for in binary are listed in the JSON with only
 * {@code parameters.binary_data_size}, and their bytes follow the JSON in the same order (the binary
 * tensor data extension, as Triton writes it: Content-Type application/octet-stream and
 * Inference-Header-Content-Length = the JSON's length); with no binary output the body is plain JSON.
 */
final class InferResponse {
    private InferResponse() {
    }

    /** @param binary which outputs go to the binary tail */
    static HttpBody render(String modelName, String modelVersion, String id, Map<String, Tensor> outputs,
                           Predicate<String> binary) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + outputs.size() * 1024);
        List<Tensor> tail = new ArrayList<>();
        long tailBytes = 0;
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            if (modelVersion != null) {
                g.writeStringField("model_version", modelVersion);
            }
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeArrayFieldStart("outputs");
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                Tensor t = e.getValue();
                long size = binary.test(e.getKey()) ? sectionSize(t) : -1;
                if (size >= 0) {
                    tail.add(t);
                    tailBytes += size;
                }
                TensorJsonWriter.writeOutput(g, e.getKey(), t, size);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tail.isEmpty()) {
            return HttpBody.json(bytes.toByteArray());
        }
        return withTail(bytes, tail, tailBytes);
    }

    /** A tensor's bytes in the binary layout: dense elements, or BYTES with their 4-byte length prefixes. */
    static long sectionSize(Tensor t) {
        return t.dataType() == DataType.BYTES ? t.data().remaining() : t.dataType().byteSize(t.shape());
    }

    private static HttpBody withTail(ByteArrayOutputStream json, List<Tensor> tail, long tailBytes) {
        int head = json.size();
        if (head + tailBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("response of " + (head + tailBytes) + " bytes is too large");
        }
        byte[] body = new byte[head + (int) tailBytes];
        System.arraycopy(json.toByteArray(), 0, body, 0, head);
        int at = head;
        for (Tensor t : tail) {
            java.nio.ByteBuffer b = t.data();
            int n = b.remaining();
            b.get(body, at, n);
            at += n;
        }
        return new HttpBody(body, HttpBody.BINARY, head);
    }
}
