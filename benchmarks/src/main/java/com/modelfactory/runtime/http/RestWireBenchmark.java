package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What one REST inference costs the front end, without the model: parse the request and render the
 * response, for the same FP32 tensor as OIP JSON and as the binary tensor data extension (JSON header
 * plus raw little-endian floats, as tritonclient sends by default). Run with {@code -prof gc} for the
 * bytes allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RestWireBenchmark {

    /** request tensor shape */
    @Param({"1x3x224x224"})
    public String shape;

    /** response tensor shape */
    @Param({"1x1000"})
    public String outputShape;

    private byte[] json;
    private byte[] binary;
    private int binaryHead;
    private Map<String, Tensor> outputs;

    @Setup
    public void setUp() {
        long[] s = dims(shape);
        int n = (int) Tensor.elementCount(s);
        SplittableRandom r = new SplittableRandom(1);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) r.nextDouble();
        }
        String dims = java.util.Arrays.toString(s).replace(" ", "");
        StringBuilder b = new StringBuilder(n * 8).append("{\"inputs\":[{\"name\":\"input\",\"shape\":").append(dims)
                .append(",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < n; i++) {
            // what numpy's tolist() + json.dumps sends: the shortest repr of each float
            b.append(i == 0 ? "" : ",").append(Float.toString(values[i]).toLowerCase(Locale.ROOT));
        }
        json = b.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);

        byte[] head = ("{\"inputs\":[{\"name\":\"input\",\"shape\":" + dims + ",\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":" + (n * 4) + "}}],\"outputs\":[{\"name\":\"logits\",\"parameters\":"
                + "{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer raw = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        ByteArrayOutputStream body = new ByteArrayOutputStream(head.length + n * 4);
        body.writeBytes(head);
        body.writeBytes(raw.array());
        binary = body.toByteArray();
        binaryHead = head.length;

        Tensor out = Tensor.allocate(DataType.FP32, dims(outputShape));
        FloatBuffer f = out.mutableData().asFloatBuffer();
        while (f.hasRemaining()) {
            f.put((float) r.nextGaussian());
        }
        outputs = Map.of("logits", out);
    }

    @Benchmark
    public void jsonParseAndRespond(Blackhole bh) {
        bh.consume(TensorJson.parseInferRequest(json, json.length, null));
        bh.consume(InferResponse.render("model", "1", "id", outputs, name -> false));
    }

    @Benchmark
    public void binaryParseAndRespond(Blackhole bh) {
        int head = BinaryTensors.jsonLength(Integer.toString(binaryHead), binary.length);
        bh.consume(TensorJson.parseInferRequest(binary, head, null));
        bh.consume(InferResponse.render("model", "1", "id", outputs, name -> true));
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
