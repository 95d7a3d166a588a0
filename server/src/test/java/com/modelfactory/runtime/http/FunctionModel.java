package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A fake model for front-end tests: a signature and a function from inputs to outputs. */
final class FunctionModel implements LoadedModel {
    private final Signature signature;
    private final UnaryOperator<Map<String, Tensor>> function;

    FunctionModel(Signature signature, UnaryOperator<Map<String, Tensor>> function) {
        this.signature = signature;
        this.function = function;
    }

    /** Output "out_X" is a copy of input "X", for every input: datatypes round trip through it. */
    static FunctionModel echo(List<TensorSpec> inputs) {
        List<TensorSpec> outputs = inputs.stream().map(t -> new TensorSpec("out_" + t.name(), t.dataType(), t.shape())).toList();
        return new FunctionModel(new Signature(inputs, outputs, false, 0), in -> {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (TensorSpec t : inputs) {
                out.put("out_" + t.name(), copy(in.get(t.name())));
            }
            return out;
        });
    }

    static Tensor copy(Tensor t) {
        ByteBuffer src = t.data();
        ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        dst.put(src).flip();
        return new Tensor(t.dataType(), t.shape(), dst);
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return "function-fake";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Predictor newPredictor() {
        return Predictor.sharedSession(function);
    }

    @Override
    public void close() {
    }
}
