package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;

/** A grpc-java channel to a runtime on loopback (plaintext HTTP/2, as gRPC clients connect), and its stubs. */
final class GrpcClient implements AutoCloseable {
    final ManagedChannel channel;

    GrpcClient(int port) {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub future() {
        return GRPCInferenceServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
