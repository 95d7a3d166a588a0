package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.grpc.proto.ModelInferRequest;

/** Requests other packages' tests send over gRPC. */
public final class GrpcTestRequests {
    private GrpcTestRequests() {
    }

    /** One zero image for the tiny CNN fixture served as {@code model}. */
    public static ModelInferRequest tinyCnn(String model) {
        return GrpcRequests.fp32(model, "input", new float[3 * 32 * 32], 1, 3, 32, 32).build();
    }
}
