package com.modelfactory.runtime.batching;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * Batch assembly (concatenating requests into one input tensor) and split (slicing outputs back), for a
 * batch of 32 single-item requests, built as the serving core queues them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchAssemblyBenchmark {

    /** per-item input shape (without the batch dimension) */
    @Param({"3x32x32", "3x224x224"})
    public String item;

    @Param({"32"})
    public int batch;

    private List<QueuedRequest> requests;
    private final BatchBuffers buffers = new BatchBuffers();
    private Map<String, Tensor> outputs;

    @Setup
    public void setUp() {
        String[] dims = item.split("x");
        long[] shape = new long[dims.length + 1];
        shape[0] = 1;
        for (int i = 0; i < dims.length; i++) {
            shape[i + 1] = Long.parseLong(dims[i]);
        }
        requests = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            Map<String, Tensor> in = Map.of("input", Tensor.allocateHeap(DataType.FP32, shape));
            requests.add(new QueuedRequest(in, 1, "k", Long.MAX_VALUE, new CompletableFuture<>()));
        }
        outputs = Map.of("logits", Tensor.allocate(DataType.FP32, new long[] {batch, 1000}));
    }

    @Benchmark
    public Map<String, Tensor> concat() {
        return BatchAssembler.concat(requests, 0, buffers);
    }

    @Benchmark
    public List<Map<String, Tensor>> split() {
        return BatchAssembler.split(outputs, requests);
    }
}
