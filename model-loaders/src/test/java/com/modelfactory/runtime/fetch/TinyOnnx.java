package com.modelfactory.runtime.fetch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A real ONNX model (Identity, X float[1,2] -> Y), encoded field by field after onnx.proto: small enough
 * to build in a test, real enough for ONNX Runtime to load and run. Used where a test needs a model to
 * travel through the store, not a particular framework's output.
 */
public final class TinyOnnx {
    private TinyOnnx() {
    }

    /** onnx.TensorProto.DataType codes. */
    public static final int FLOAT = 1;
    public static final int BFLOAT16 = 16;

    public static byte[] identity() {
        return identity(FLOAT);
    }

    /** Identity X -> Y of shape [1, 2] and the given ONNX element type. */
    public static byte[] identity(int elemType) {
        byte[] node = msg(str(1, "X"), str(2, "Y"), str(3, "identity"), str(4, "Identity"));
        byte[] graph = msg(len(1, node), str(2, "tiny"), len(11, valueInfo("X", elemType)),
                len(12, valueInfo("Y", elemType)));
        byte[] opset = msg(str(1, ""), varint(2, 13));
        return msg(varint(1, 7), str(2, "model-runtime-tests"), len(7, graph), len(8, opset));
    }

    private static byte[] valueInfo(String name, int elemType) {
        byte[] dim1 = msg(varint(1, 1));
        byte[] dim2 = msg(varint(1, 2));
        byte[] shape = msg(len(1, dim1), len(1, dim2));
        byte[] tensorType = msg(varint(1, elemType), len(2, shape));
        byte[] type = msg(len(1, tensorType));
        return msg(str(1, name), len(2, type));
    }

    private static byte[] msg(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static byte[] varint(int field, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, ((long) field << 3));
        writeVarint(out, value);
        return out.toByteArray();
    }

    private static byte[] str(int field, String s) {
        return len(field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] len(int field, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
