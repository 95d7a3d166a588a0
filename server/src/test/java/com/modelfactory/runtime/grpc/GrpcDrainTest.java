package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static com.modelfactory.runtime.grpc.GrpcRequests.outputFloats;
import static com.modelfactory.runtime.grpc.GrpcRequests.toFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a real child process while gRPC calls wait in a forming batch, on the HTTP port and on the
 * gRPC port: readiness turns false, new calls (new channel or the draining one) get UNAVAILABLE, every
 * call accepted before the signal is answered with the right numbers, the HTTP/2 connections close after
 * GOAWAY as their calls end, and the process exits 0 without waiting out the drain timeout.
 */
class GrpcDrainTest {
    private static final int CALLS = 16;
    /** Long enough that the accepted calls are still waiting in the batch when SIGTERM arrives. */
    private static final String BATCH_DELAY_MS = "5000";

    @Test
    void sigtermFinishesAcceptedCallsRefusesNewOnesAndExitsZero() throws Exception {
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        float[] pixels = Arrays.copyOf(toFloats(TestRuntime.doubles(ref.getJsonObject("inputs").getJsonObject("input")
                .getJsonArray("data"))), 3 * 32 * 32);
        float[] expected = Arrays.copyOf(toFloats(TestRuntime.doubles(ref.getJsonObject("outputs")
                .getJsonObject("logits").getJsonArray("data"))), 10);
        ModelInferRequest request = fp32("cnn", "input", pixels, 1, 3, 32, 32).build();
        int grpcPort;
        try (ServerSocket s = new ServerSocket(0)) {
            grpcPort = s.getLocalPort();
        }
        try (ChildRuntime child = ChildRuntime.start(List.of(), "--model",
                TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(), "--model-name", "cnn",
                "--max-batch-size", "64", "--max-batch-delay-ms", BATCH_DELAY_MS, "--instances", "1",
                "--drain-timeout-ms", "30000", "--grpc-port", Integer.toString(grpcPort));
             GrpcClient onHttpPort = new GrpcClient(child.port()); GrpcClient onGrpcPort = new GrpcClient(grpcPort)) {
            child.awaitReady(Duration.ofSeconds(90));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<ListenableFuture<ModelInferResponse>> accepted = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                accepted.add((i % 2 == 0 ? onHttpPort : onGrpcPort).future().modelInfer(request));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int answered;
            while (true) {
                answered = (int) accepted.stream().filter(ListenableFuture::isDone).count();
                if (answered + inFlight(http, child) == CALLS) {
                    break;
                }
                assertTrue(System.nanoTime() < end, "the calls never all reached the batcher");
                child.process().waitFor(20, TimeUnit.MILLISECONDS);
            }
            assertTrue(answered < CALLS, "every call was answered before SIGTERM, so nothing was drained; "
                    + "the batch delay is too short for this machine");

            child.process().toHandle().destroy(); // SIGTERM

            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int ready = status(http, child);
            while (ready == 200 && System.nanoTime() < end) {
                child.process().waitFor(10, TimeUnit.MILLISECONDS);
                ready = status(http, child);
            }
            assertTrue(ready == 503 || ready == -1, "readiness after SIGTERM: " + ready);
            for (GrpcClient existing : List.of(onHttpPort, onGrpcPort)) {
                assertUnavailable(() -> existing.blocking().modelInfer(request));
            }
            for (int port : new int[] {child.port(), grpcPort}) {
                try (GrpcClient fresh = new GrpcClient(port)) {
                    assertUnavailable(() -> fresh.blocking().modelInfer(request));
                }
            }

            for (int i = 0; i < CALLS; i++) {
                ModelInferResponse r;
                try {
                    r = accepted.get(i).get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    child.process().waitFor(30, TimeUnit.SECONDS);
                    throw new AssertionError("accepted call " + i + " failed: " + e.getCause() + "\n" + child.log(), e);
                }
                float[] logits = outputFloats(r, 0);
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], logits[j], 1e-4, "accepted call " + i + " got wrong numbers");
                }
            }
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "the runtime did not exit after draining");
            assertEquals(0, child.process().exitValue(), child.log());
            assertTrue(child.log().contains("drained; stopped"), child.log());
            assertFalse(child.log().contains("drain timeout"), "the exit waited for connections: " + child.log());
        }
    }

    private static void assertUnavailable(Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    }

    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^model_requests_in_flight\\{[^}]*} ([0-9.]+)");

    private static int inFlight(HttpClient client, ChildRuntime child) throws Exception {
        String metrics = client.send(HttpRequest.newBuilder(child.uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = IN_FLIGHT.matcher(metrics);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    /** The status of GET /health/ready, or -1 when the connection is refused. */
    private static int status(HttpClient client, ChildRuntime child) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(child.uri("/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
