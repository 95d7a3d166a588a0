package com.modelfactory.runtime.http;

import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.GatedModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.testing.TestModels;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure through the real HTTP layer, with a fake slow model (a gate the test opens): a full
 * queue answers 503 with Retry-After while the engine is still busy, a request past its deadline
 * answers 504 and never runs, a client that disconnects is dropped; afterwards service is normal.
 */
class BackPressureHttpTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    private Vertx vertx;
    private InferenceService service;
    private GatedModel model;
    private RuntimeMetrics metrics;
    private int port;

    private void start(int queueCapacity, long timeoutMs) throws Exception {
        model = GatedModel.dynamic(2);
        metrics = new RuntimeMetrics("slow");
        // Capacity counts every accepted request: the one in the engine as well as the queued ones.
        service = TestModels.service("slow", model, 1, 0, queueCapacity + 1, 1, timeoutMs, metrics);
        ServingState state = new ServingState();
        state.ready(service);
        vertx = Vertx.vertx();
        HttpApi api = new HttpApi(state, metrics, 1 << 20, Files.createDirectories(tmp.resolve("up")));
        HttpServer server = vertx.createHttpServer().requestHandler(api.router(vertx)).listen(0, "127.0.0.1").await();
        port = server.actualPort();
    }

    @AfterEach
    void stop() {
        if (model != null) {
            model.open();
        }
        if (service != null) {
            service.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private static String body(float value) {
        return new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "x")
                .put("datatype", "FP32").put("shape", new JsonArray().add(1).add(2))
                .put("data", new JsonArray().add(value).add(value)))).encode();
    }

    private HttpRequest infer(float value) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/slow/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(value)))
                .build();
    }

    private CompletableFuture<HttpResponse<String>> send(float value) {
        return CLIENT.sendAsync(infer(value), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fullQueueAnswers503AtOnceThenServesNormally() throws Exception {
        start(2, 30_000);
        model.hold();
        var running = send(0);
        model.awaitEntered();
        var queued = List.of(send(1), send(2));
        Await.until("two requests queued", () -> service.queueDepth() == 2);
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // Answered while the engine is still blocked: refusal does not wait for capacity.
            refused.add(send(10 + i).get(30, TimeUnit.SECONDS));
        }
        for (HttpResponse<String> r : refused) {
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            assertTrue(new JsonObject(r.body()).getString("error").contains("capacity"), r.body());
        }
        assertEquals(2, service.queueDepth(), "the queue stayed bounded");
        assertEquals(6.0, metrics.registry().get("model_requests_rejected").counter().count());
        model.open();
        assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
        for (var q : queued) {
            assertEquals(200, q.get(30, TimeUnit.SECONDS).statusCode());
        }
        HttpResponse<String> after = send(42).get(30, TimeUnit.SECONDS);
        assertEquals(200, after.statusCode());
        assertEquals(new JsonArray().add(85.0).add(85.0),
                new JsonObject(after.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data"));
        assertFalse(model.rowsSeen().contains(10f), "a refused request ran");
    }

    @Test
    void requestPastItsDeadlineAnswers504AndNeverRuns() throws Exception {
        start(16, 400);
        model.hold();
        var running = send(0);
        model.awaitEntered();
        HttpResponse<String> late = send(1).get(30, TimeUnit.SECONDS);
        assertEquals(504, late.statusCode(), late.body());
        assertTrue(new JsonObject(late.body()).getString("error").contains("request_timeout_ms"), late.body());
        assertEquals(504, running.get(30, TimeUnit.SECONDS).statusCode(), "the deadline covers a stuck batch too");
        model.open();
        Await.until("the worker is free", () -> service.inFlight() == 0);
        assertEquals(200, send(2).get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(List.of(0f, 2f), model.rowsSeen(), "the expired request reached the engine");
        assertEquals(2.0, metrics.registry().get("model_requests_timed_out").counter().count());
    }

    @Test
    void clientThatDisconnectsIsDroppedFromTheQueue() throws Exception {
        start(16, 30_000);
        model.hold();
        var running = send(0);
        model.awaitEntered();
        byte[] request = ("POST /v2/models/slow/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body(1).length() + "\r\n\r\n" + body(1)).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            Await.until("the request is queued", () -> service.queueDepth() == 1);
        } // the client goes away
        Await.until("the disconnected request no longer counts", () -> service.inFlight() == 1);
        model.open();
        assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, send(2).get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(List.of(0f, 2f), model.rowsSeen(), "the disconnected client's request ran");
    }
}
