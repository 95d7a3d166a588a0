package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gRPC endpoint alone around a fake model (the brief allows fakes for this layer): a serving core from
 * {@link TestModels#service}, a {@link ServingState}, and a Vert.x HTTP/2 server on a loopback port.
 */
final class GrpcHarness implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final RuntimeMetrics metrics;
    final ServingState state = new ServingState();
    final InferenceService service;
    final HttpServer server;
    final GrpcClient client;

    /**
     * @param flags configuration flags (e.g. --max-body-bytes) for the endpoint
     */
    GrpcHarness(String name, LoadedModel model, int maxBatch, int capacity, long timeoutMs, String... flags) {
        metrics = new RuntimeMetrics(name);
        service = TestModels.service(name, model, maxBatch, 0, capacity, 1, timeoutMs, metrics);
        state.ready(service);
        List<String> args = new ArrayList<>(List.of(flags));
        RuntimeConfig config = ConfigLoader.load(args.toArray(String[]::new), Map.of());
        GrpcEndpoint endpoint = new GrpcEndpoint(vertx, state, metrics, config, name);
        server = vertx.createHttpServer(GrpcEndpoint.http2(new HttpServerOptions())).requestHandler(endpoint)
                .listen(0, "127.0.0.1").await();
        client = new GrpcClient(server.actualPort());
    }

    int port() {
        return server.actualPort();
    }

    double counter(String name) {
        return metrics.registry().get(name).counter().count();
    }

    @Override
    public void close() {
        client.close();
        service.close();
        vertx.close().await();
    }
}
