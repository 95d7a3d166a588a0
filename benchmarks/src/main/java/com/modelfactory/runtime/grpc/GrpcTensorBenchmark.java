package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gRPC, the twin of TensorJsonBenchmark: a ModelInferRequest's bytes into the model's input tensors (protobuf
 * parse, raw_input_contents wrapped as the tensor) and the response message's bytes from output tensors,
 * exactly the server's code paths, so the two compare request for request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GrpcTensorBenchmark {

    /** request tensor shape */
    @Param({"1x3x32x32", "1x3x224x224"})
    public String shape;

    /** response tensor shape */
    @Param({"1x1000"})
    public String outputShape;

    private byte[] request;
    private Map<String, Tensor> outputs;

    @Setup
    public void setUp() {
        request = GrpcRequestFile.request("model", "input", GrpcRequestFile.shape(shape)).toByteArray();
        Tensor out = Tensor.allocate(DataType.FP32, GrpcRequestFile.shape(outputShape));
        FloatBuffer f = out.mutableData().asFloatBuffer();
        SplittableRandom r = new SplittableRandom(1);
        while (f.hasRemaining()) {
            f.put((float) r.nextGaussian());
        }
        outputs = Map.of("logits", out);
    }

    /** What the decode worker does with a request message: parse, then tensors. */
    @Benchmark
    public Map<String, Tensor> parseRequest() {
        ModelInferRequest r = InferRequests.parse(ByteBuffer.wrap(request));
        return InferRequests.inputs(r);
    }

    /** What the batch worker does with the outputs: the response message, serialised. */
    @Benchmark
    public byte[] writeResponse() {
        return InferResponses.of("model", "1", "id", outputs, List.of()).toByteArray();
    }
}
