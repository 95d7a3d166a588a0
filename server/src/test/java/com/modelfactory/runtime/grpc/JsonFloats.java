package com.modelfactory.runtime.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of {@code outputs[0].data} of a REST answer (/v2 infer or /predict) read as floats from their
 * text, so that a comparison with gRPC's raw bytes is bit for bit (no detour through double).
 */
final class JsonFloats {
    private JsonFloats() {
    }

    static float[] firstOutput(String json) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            int depth = 0;
            boolean inOutputs = false;
            while (p.nextToken() != null) {
                JsonToken t = p.currentToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME && depth == 1 && p.currentName().equals("outputs")) {
                    inOutputs = true;
                } else if (t == JsonToken.FIELD_NAME && inOutputs && p.currentName().equals("data")) {
                    return data(p);
                }
            }
        }
        throw new AssertionError("no outputs[0].data in " + json);
    }

    private static float[] data(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_ARRAY) {
            throw new AssertionError("data is not an array");
        }
        List<Float> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(Float.parseFloat(p.getText()));
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
