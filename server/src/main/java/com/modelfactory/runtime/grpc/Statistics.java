package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.grpc.proto.InferBatchStatistics;
import com.modelfactory.runtime.grpc.proto.InferStatistics;
import com.modelfactory.runtime.grpc.proto.ModelStatistics;
import com.modelfactory.runtime.grpc.proto.StatisticDuration;
import com.modelfactory.runtime.serving.InferenceStatistics;
import com.modelfactory.runtime.serving.ModelInfo;
import java.util.Comparator;

/** The serving core's statistics snapshot as Triton's ModelStatistics message (counts and nanoseconds). */
final class Statistics {
    private Statistics() {
    }

    static ModelStatistics of(ModelInfo m, InferenceStatistics.Snapshot s) {
        InferStatistics.Builder phases = InferStatistics.newBuilder().setSuccess(d(s.success())).setFail(d(s.fail()))
                .setQueue(d(s.queue())).setComputeInput(d(s.computeInput())).setComputeInfer(d(s.computeInfer()))
                .setComputeOutput(d(s.computeOutput()))
                .setCacheHit(StatisticDuration.getDefaultInstance()).setCacheMiss(StatisticDuration.getDefaultInstance());
        ModelStatistics.Builder b = ModelStatistics.newBuilder().setName(m.name()).setVersion(m.version())
                .setLastInference(s.lastInferenceMs()).setInferenceCount(s.inferenceCount())
                .setExecutionCount(s.executionCount()).setInferenceStats(phases);
        for (InferenceStatistics.BatchStats bs : s.batchStats().values().stream()
                .sorted(Comparator.comparingInt(InferenceStatistics.BatchStats::batchSize)).toList()) {
            b.addBatchStats(InferBatchStatistics.newBuilder().setBatchSize(bs.batchSize())
                    .setComputeInput(d(bs.computeInput())).setComputeInfer(d(bs.computeInfer()))
                    .setComputeOutput(d(bs.computeOutput())));
        }
        return b.build();
    }

    private static StatisticDuration d(InferenceStatistics.Duration d) {
        return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.nanos()).build();
    }
}
