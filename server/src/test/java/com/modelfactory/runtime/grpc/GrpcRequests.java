package com.modelfactory.runtime.grpc;

import com.google.protobuf.ByteString;
import com.modelfactory.runtime.grpc.proto.InferParameter;
import com.modelfactory.runtime.grpc.proto.InferTensorContents;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest.InferInputTensor;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** ModelInferRequests as tritonclient builds them (raw contents, little-endian), and reading responses back. */
final class GrpcRequests {
    private GrpcRequests() {
    }

    static InferInputTensor.Builder input(String name, String datatype, long... shape) {
        InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
        for (long d : shape) {
            b.addShape(d);
        }
        return b;
    }

    /** One FP32 input in raw_input_contents. */
    static ModelInferRequest.Builder fp32(String model, String input, float[] values, long... shape) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(input(input, "FP32", shape))
                .addRawInputContents(floats(values));
    }

    /** One FP32 input as typed fp32_contents. */
    static ModelInferRequest.Builder fp32Typed(String model, String input, float[] values, long... shape) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float v : values) {
            c.addFp32Contents(v);
        }
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(input(input, "FP32", shape).setContents(c));
    }

    /** One BYTES input in raw form: each element a 4-byte little-endian length, then its bytes. */
    static ModelInferRequest.Builder bytes(String model, String input, List<byte[]> elements, long... shape) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(input(input, "BYTES", shape))
                .addRawInputContents(lengthPrefixed(elements));
    }

    static ByteString lengthPrefixed(List<byte[]> elements) {
        int size = elements.stream().mapToInt(e -> 4 + e.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        elements.forEach(e -> b.putInt(e.length).put(e));
        return ByteString.copyFrom(b.array());
    }

    static ByteString floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return ByteString.copyFrom(b.array());
    }

    static InferParameter int64(long v) {
        return InferParameter.newBuilder().setInt64Param(v).build();
    }

    /** Output {@code i} of the response, decoded from raw_output_contents as FP32. */
    static float[] outputFloats(ModelInferResponse r, int i) {
        ByteBuffer b = r.getRawOutputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
