package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.grpc.proto.DataType;
import com.modelfactory.runtime.grpc.proto.ModelConfig;
import com.modelfactory.runtime.grpc.proto.ModelDynamicBatching;
import com.modelfactory.runtime.grpc.proto.ModelInput;
import com.modelfactory.runtime.grpc.proto.ModelInstanceGroup;
import com.modelfactory.runtime.grpc.proto.ModelOutput;
import com.modelfactory.runtime.grpc.proto.ModelVersionPolicy;
import com.modelfactory.runtime.serving.ModelConfigView;

/** {@link ModelConfigView} as the inference.ModelConfig message: rendered, not recomputed. */
final class ModelConfigs {
    private ModelConfigs() {
    }

    static ModelConfig of(ModelConfigView v) {
        ModelConfig.Builder b = ModelConfig.newBuilder().setName(v.name()).setPlatform(v.platform())
                .setBackend(v.backend()).setMaxBatchSize(v.maxBatchSize())
                .setVersionPolicy(ModelVersionPolicy.newBuilder()
                        .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(1)))
                .setDefaultModelFilename(v.defaultModelFile());
        for (ModelConfigView.Tensor t : v.inputs()) {
            ModelInput.Builder in = ModelInput.newBuilder().setName(t.name()).setDataType(DataType.valueOf(t.dataType()))
                    .setFormat(ModelInput.Format.valueOf(t.format()));
            for (long d : t.dims()) {
                in.addDims(d);
            }
            b.addInput(in);
        }
        for (ModelConfigView.Tensor t : v.outputs()) {
            ModelOutput.Builder out = ModelOutput.newBuilder().setName(t.name()).setDataType(DataType.valueOf(t.dataType()));
            for (long d : t.dims()) {
                out.addDims(d);
            }
            b.addOutput(out);
        }
        if (v.maxBatchSize() > 0) {
            b.setDynamicBatching(ModelDynamicBatching.newBuilder().addAllPreferredBatchSize(v.preferredBatchSizes())
                    .setMaxQueueDelayMicroseconds(v.maxQueueDelayUs()));
        }
        b.addInstanceGroup(ModelInstanceGroup.newBuilder().setName(v.name() + "_0").setCount(v.instanceCount())
                .setKind(v.gpu() ? ModelInstanceGroup.Kind.KIND_GPU : ModelInstanceGroup.Kind.KIND_CPU));
        return b.build();
    }
}
