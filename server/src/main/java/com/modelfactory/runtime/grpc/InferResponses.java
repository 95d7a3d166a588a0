package com.modelfactory.runtime.grpc;

import com.google.protobuf.UnsafeByteOperations;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse.InferOutputTensor;
import com.modelfactory.runtime.serving.RequestedOutputs;
import java.util.List;
import java.util.Map;

/**
 * The model's outputs as a ModelInferResponse: the requested outputs (or all, in signature order), each as
 * an {@code outputs} entry and its bytes in {@code raw_output_contents}, which is where tritonclient reads
 * them (it decodes typed contents of BYTES only); the same layout as the binary tensor extension.
 */
final class InferResponses {
    private InferResponses() {
    }

    static ModelInferResponse of(String model, String version, String id, Map<String, Tensor> outputs,
                                 List<String> wanted) {
        ModelInferResponse.Builder r = ModelInferResponse.newBuilder().setModelName(model).setModelVersion(version)
                .setId(id);
        for (Map.Entry<String, Tensor> e : RequestedOutputs.select(outputs, wanted).entrySet()) {
            Tensor t = e.getValue();
            InferOutputTensor.Builder o = InferOutputTensor.newBuilder().setName(e.getKey())
                    .setDatatype(t.dataType().name());
            for (long d : t.shape()) {
                o.addShape(d);
            }
            r.addOutputs(o);
            // The tensor's buffer is not touched again: wrapping it saves a copy before serialisation.
            r.addRawOutputContents(UnsafeByteOperations.unsafeWrap(t.data()));
        }
        return r.build();
    }
}
