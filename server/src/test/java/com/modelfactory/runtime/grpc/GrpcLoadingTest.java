package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcServingTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.grpc.proto.ModelConfigRequest;
import com.modelfactory.runtime.grpc.proto.ModelMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ModelReadyRequest;
import com.modelfactory.runtime.grpc.proto.ModelStatisticsRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexResponse;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.grpc.proto.ServerReadyRequest;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
import io.grpc.Status;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Before the model is loaded: live, not ready, the model listed LOADING, inference UNAVAILABLE. */
class GrpcLoadingTest {
    @Test
    void whileTheModelLoads() throws Exception {
        Vertx vertx = Vertx.vertx();
        RuntimeMetrics metrics = new RuntimeMetrics("big");
        ServingState state = new ServingState("big");
        state.loading();
        GrpcEndpoint endpoint = new GrpcEndpoint(vertx, state, metrics, ConfigLoader.load(new String[0], Map.of()), "big");
        HttpServer server = vertx.createHttpServer(GrpcEndpoint.http2(new HttpServerOptions())).requestHandler(endpoint)
                .listen(0, "127.0.0.1").await();
        try (GrpcClient c = new GrpcClient(server.actualPort())) {
            assertTrue(c.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
            assertFalse(c.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
            assertFalse(c.blocking().modelReady(ModelReadyRequest.newBuilder().setName("big").build()).getReady());
            assertMessage(Status.Code.UNAVAILABLE, "still loading", () -> c.blocking().modelMetadata(
                    ModelMetadataRequest.newBuilder().setName("big").build()));
            assertMessage(Status.Code.UNAVAILABLE, "still loading", () -> c.blocking().modelConfig(
                    ModelConfigRequest.newBuilder().setName("big").build()));
            assertEquals(0, c.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance()).getModelStatsCount());
            RepositoryIndexResponse index = c.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
            assertEquals("big", index.getModels(0).getName());
            assertEquals("LOADING", index.getModels(0).getState(), "Triton's state for a model being loaded");
            assertEquals("loading", index.getModels(0).getReason());
            assertEquals(0, c.blocking().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                    .getModelsCount());
            assertMessage(Status.Code.UNAVAILABLE, "still loading", () -> c.blocking().modelInfer(
                    GrpcRequests.fp32("big", "x", new float[1], 1, 1).build()));
            assertEquals(3.0, metrics.registry().get("model_requests_rejected").counter().count(),
                    "every UNAVAILABLE is counted, as HTTP counts its 503s");
        } finally {
            vertx.close().await();
        }
    }
}
