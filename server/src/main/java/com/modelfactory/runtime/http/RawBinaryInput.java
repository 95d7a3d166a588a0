package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Triton's raw binary request: Inference-Header-Content-Length 0, no JSON at all, the whole body the
 * bytes of the model's only input at batch 1; every output comes back binary. The shape is the input's
 * with the batch dimension 1 and at most one other variable dimension, sized from the byte count.
 */
final class RawBinaryInput {
    private RawBinaryInput() {
    }

    static TensorJson.InferRequest request(Signature signature, byte[] body) {
        List<TensorSpec> inputs = signature.inputs();
        if (inputs.size() != 1 || !inputs.get(0).shapeKnown()) {
            throw ServingException.badInput("a raw binary request (" + BinaryTensors.HEADER + ": 0) needs a model "
                    + "with exactly one input of known shape; send the JSON header with binary_data_size instead");
        }
        TensorSpec spec = inputs.get(0);
        long[] shape = shape(spec, signature.batched(), body.length);
        try {
            Tensor t = new Tensor(spec.dataType(), shape, ByteBuffer.wrap(body));
            return new TensorJson.InferRequest(null, Map.of(spec.name(), t), List.of(), true);
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("raw binary request for input '" + spec.name() + "': " + e.getMessage());
        }
    }

    private static long[] shape(TensorSpec spec, boolean batched, int bytes) {
        long[] shape = spec.shape();
        if (batched && shape.length > 0) {
            shape[0] = 1;
        }
        if (spec.dataType() == DataType.BYTES) {
            Arrays.setAll(shape, i -> shape[i] < 0 ? 1 : shape[i]);
            return shape;
        }
        long known = spec.dataType().byteSize();
        int variable = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                if (variable >= 0) {
                    throw ServingException.badInput("a raw binary request needs an input with at most one variable "
                            + "dimension besides the batch; '" + spec.name() + "' has shape " + Arrays.toString(spec.shape()));
                }
                variable = i;
            } else {
                known *= shape[i];
            }
        }
        if (variable >= 0) {
            shape[variable] = known == 0 ? 0 : bytes / known;
        }
        return shape;
    }
}
