package com.modelfactory.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.BFloat16;
import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.engine.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * Tensor elements as JSON values, the same for every writer of JSON (REST responses, batch records):
 * numbers as numbers (UINT64 unsigned), BOOL as true/false, NaN and the infinities as strings since JSON
 * has none (as Triton and KServe write them).
 */
public final class JsonElements {
    private JsonElements() {
    }

    /** Element {@code i} of {@code data}, a fixed-size tensor's bytes (not BYTES: its writers decide about text). */
    public static void write(JsonGenerator g, Tensor t, ByteBuffer data, int i) throws IOException {
        switch (t.dataType()) {
            case FP32 -> writeFloat(g, data.getFloat(i * 4));
            case FP64 -> writeDouble(g, data.getDouble(i * 8));
            case FP16 -> writeFloat(g, Half.toFloat(data.getShort(i * 2)));
            case BF16 -> writeFloat(g, BFloat16.toFloat(data.getShort(i * 2)));
            case INT8 -> g.writeNumber(data.get(i));
            case UINT8 -> g.writeNumber(data.get(i) & 0xff);
            case BOOL -> g.writeBoolean(data.get(i) != 0);
            case INT16 -> g.writeNumber(data.getShort(i * 2));
            case UINT16 -> g.writeNumber(data.getShort(i * 2) & 0xffff);
            case INT32 -> g.writeNumber(data.getInt(i * 4));
            case UINT32 -> g.writeNumber(data.getInt(i * 4) & 0xffffffffL);
            case INT64 -> g.writeNumber(data.getLong(i * 8));
            case UINT64 -> g.writeNumber(new BigInteger(Long.toUnsignedString(data.getLong(i * 8))));
            case BYTES -> throw new IllegalArgumentException("BYTES elements are written by the caller");
        }
    }

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
