package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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

/** OIP v2 JSON: parsing an infer request's tensor and writing an infer response. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TensorJsonBenchmark {

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
        long[] s = dims(shape);
        long n = Tensor.elementCount(s);
        SplittableRandom r = new SplittableRandom(1);
        StringBuilder b = new StringBuilder((int) n * 8).append("{\"inputs\":[{\"name\":\"input\",\"shape\":[");
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ",").append(s[i]);
        }
        b.append("],\"datatype\":\"FP32\",\"data\":[");
        for (long i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", r.nextDouble()));
        }
        request = b.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
        long[] os = dims(outputShape);
        Tensor out = Tensor.allocate(DataType.FP32, os);
        FloatBuffer f = out.mutableData().asFloatBuffer();
        while (f.hasRemaining()) {
            f.put((float) r.nextGaussian());
        }
        outputs = Map.of("logits", out);
    }

    @Benchmark
    public TensorJson.InferRequest parseRequest() {
        return TensorJson.parseInferRequest(request);
    }

    @Benchmark
    public byte[] writeResponse() {
        return TensorJsonWriter.inferResponse("model", "1", "id", outputs);
    }

    private static long[] dims(String s) {
        String[] p = s.split("x");
        long[] d = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Long.parseLong(p[i]);
        }
        return d;
    }
}
