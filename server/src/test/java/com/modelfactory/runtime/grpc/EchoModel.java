package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** A fake model for the datatype tests: input "x" of one datatype, [N, W]; output "y" = a copy of x. */
final class EchoModel implements LoadedModel {
    private final Signature signature;

    EchoModel(DataType type, long width) {
        signature = new Signature(List.of(new TensorSpec("x", type, new long[] {-1, width})),
                List.of(new TensorSpec("y", type, new long[] {-1, width})), true, 0);
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return "echo-fake";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Predictor newPredictor() {
        return new Predictor() {
            @Override
            public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                Tensor x = inputs.get("x");
                ByteBuffer copy = ByteBuffer.allocate(x.data().remaining());
                copy.put(x.data()).flip();
                return Map.of("y", new Tensor(x.dataType(), x.shape(), copy));
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
