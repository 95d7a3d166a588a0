package com.modelfactory.runtime.grpc;

import com.google.protobuf.UnsafeByteOperations;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest.InferInputTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes one gRPC-framed ModelInferRequest (5-byte prefix: flag 0, big-endian length; then the message) with
 * one random FP32 input in raw_input_contents, for load tools that send a fixed body (h2load -d).
 *
 * <pre>java -cp benchmarks/target/classes:benchmarks/target/lib/* com.modelfactory.runtime.grpc.GrpcRequestFile \
 *     OUT MODEL INPUT 1x3x32x32</pre>
 */
public final class GrpcRequestFile {
    private GrpcRequestFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: GrpcRequestFile OUT MODEL INPUT SHAPE (e.g. 1x3x32x32)");
            System.exit(2);
        }
        byte[] message = request(args[1], args[2], shape(args[3])).toByteArray();
        try (OutputStream out = Files.newOutputStream(Path.of(args[0]))) {
            out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(message.length).array());
            out.write(message);
        }
    }

    /** A request with {@code shape} random floats in [0, 1) as the raw contents of {@code input}. */
    static ModelInferRequest request(String model, String input, long[] shape) {
        long n = 1;
        InferInputTensor.Builder in = InferInputTensor.newBuilder().setName(input).setDatatype("FP32");
        for (long d : shape) {
            in.addShape(d);
            n *= d;
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(1);
        while (data.hasRemaining()) {
            data.putFloat((float) r.nextDouble());
        }
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(in)
                .addRawInputContents(UnsafeByteOperations.unsafeWrap(data.array())).build();
    }

    static long[] shape(String s) {
        String[] p = s.split("x");
        long[] d = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Long.parseLong(p[i]);
        }
        return d;
    }
}
