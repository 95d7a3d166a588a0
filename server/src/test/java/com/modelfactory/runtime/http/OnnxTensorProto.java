package com.modelfactory.runtime.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an ONNX TensorProto file (the test_data_set_N/*.pb of the ONNX model zoo): dims (field 1),
 * float_data (field 4) or raw_data (field 9). Only what the tests need; FLOAT tensors only.
 */
record OnnxTensorProto(long[] dims, float[] floats) {

    static OnnxTensorProto read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Long> dims = new ArrayList<>();
        float[] floats = null;
        List<Float> packed = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> {
                    long v = varint(b);
                    if (field == 1) {
                        dims.add(v);
                    }
                }
                case 1 -> b.position(b.position() + 8);
                case 5 -> {
                    float f = b.order(ByteOrder.LITTLE_ENDIAN).getFloat();
                    if (field == 4) {
                        packed.add(f);
                    }
                }
                case 2 -> {
                    int len = (int) varint(b);
                    ByteBuffer slice = b.slice().order(ByteOrder.LITTLE_ENDIAN);
                    slice.limit(len);
                    if (field == 1) {
                        while (slice.hasRemaining()) {
                            dims.add(varint(slice));
                        }
                    } else if (field == 4) {
                        while (slice.hasRemaining()) {
                            packed.add(slice.getFloat());
                        }
                    } else if (field == 9) {
                        floats = new float[len / 4];
                        slice.asFloatBuffer().get(floats);
                    }
                    b.position(b.position() + len);
                }
                default -> throw new IOException("unsupported wire type " + wire + " in " + file);
            }
        }
        if (floats == null) {
            floats = new float[packed.size()];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = packed.get(i);
            }
        }
        return new OnnxTensorProto(dims.stream().mapToLong(Long::longValue).toArray(), floats);
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }
}
