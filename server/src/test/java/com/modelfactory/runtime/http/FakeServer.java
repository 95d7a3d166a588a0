package com.modelfactory.runtime.http;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The real HTTP routes on a loopback port in front of a fake model (one request per batch). */
final class FakeServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Vertx vertx;
    private final InferenceService service;
    private final int port;

    FakeServer(String name, LoadedModel model, long maxBodyBytes, Path tmp) throws IOException {
        RuntimeMetrics metrics = new RuntimeMetrics(name);
        service = TestModels.service(name, model, 1, 0, 16, 1, 30_000, metrics);
        ServingState state = new ServingState();
        state.ready(service);
        vertx = Vertx.vertx();
        HttpApi api = new HttpApi(state, metrics, maxBodyBytes, Files.createDirectories(tmp.resolve("uploads")));
        HttpServer server = vertx.createHttpServer().requestHandler(api.router(vertx)).listen(0, "127.0.0.1").await();
        port = server.actualPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    int port() {
        return port;
    }

    HttpResponse<byte[]> post(String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        service.close();
        vertx.close().await();
    }
}
