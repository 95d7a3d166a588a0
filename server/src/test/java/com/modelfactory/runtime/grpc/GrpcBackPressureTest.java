package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static com.modelfactory.runtime.grpc.GrpcRequests.outputFloats;
import static com.modelfactory.runtime.grpc.GrpcServingTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.GatedModel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The serving core's batching, deadlines and refusals as gRPC clients see them, with a fake model whose
 * engine the test holds (latches, no sleeps): concurrent calls share batches and each gets its own answer;
 * deadlines end calls with DEADLINE_EXCEEDED and the request never runs; a full queue or a drain answers
 * UNAVAILABLE at once; all of it counted in the metrics.
 */
class GrpcBackPressureTest {

    private static ModelInferRequest request(float value) {
        return fp32("slow", "x", new float[] {value, value + 0.5f}, 1, 2).build();
    }

    @Test
    void concurrentCallsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        try (GrpcHarness h = new GrpcHarness("slow", model, 64, 256, 60_000)) {
            model.hold();
            List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
            calls.add(h.client.future().modelInfer(request(0)));
            model.awaitEntered();
            for (int i = 1; i < 64; i++) {
                calls.add(h.client.future().modelInfer(request(i)));
            }
            Await.until("63 calls queued behind the held batch", () -> h.service.queueDepth() == 63);
            model.open();
            for (int i = 0; i < calls.size(); i++) {
                float x = i;
                assertArrayEquals(new float[] {2 * x + 1, 2 * (x + 0.5f) + 1}, outputFloats(calls.get(i).get(60,
                        TimeUnit.SECONDS), 0), "call " + i + " got another call's answer");
            }
            assertEquals(2, model.batches().size(), "64 calls ran in " + model.batches().size() + " batches");
            assertEquals(2, h.service.statistics().snapshot().executionCount());
            assertEquals(64, h.service.statistics().snapshot().inferenceCount());
            assertEquals(2, h.metrics.registry().get("model_batch_size").summary().count());
        }
    }

    @Test
    void clientDeadlineDropsTheQueuedRequest() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        try (GrpcHarness h = new GrpcHarness("slow", model, 1, 16, 60_000)) {
            model.hold();
            ListenableFuture<ModelInferResponse> running = h.client.future().modelInfer(request(0));
            model.awaitEntered();
            StatusRuntimeException late = assertThrows(StatusRuntimeException.class,
                    () -> h.client.blocking().withDeadlineAfter(300, TimeUnit.MILLISECONDS).modelInfer(request(1)));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
            Await.until("the expired call left the queue", () -> h.service.inFlight() == 1);
            model.open();
            running.get(60, TimeUnit.SECONDS);
            assertArrayEquals(new float[] {5, 6}, outputFloats(h.client.blocking().modelInfer(request(2)), 0));
            assertEquals(List.of(0f, 2f), model.rowsSeen(), "the expired call reached the engine");
        }
    }

    @Test
    void timeoutParameterEndsTheCallWithDeadlineExceeded() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        try (GrpcHarness h = new GrpcHarness("slow", model, 1, 16, 60_000)) {
            model.hold();
            ListenableFuture<ModelInferResponse> running = h.client.future().modelInfer(request(0));
            model.awaitEntered();
            assertMessage(Status.Code.DEADLINE_EXCEEDED, "timeout parameter (200000 us) passed",
                    () -> h.client.blocking().modelInfer(request(1).toBuilder()
                            .putParameters(InferRequests.TIMEOUT, GrpcRequests.int64(200_000)).build()));
            assertEquals(1.0, h.counter("model_requests_timed_out"));
            assertMessage(Status.Code.INVALID_ARGUMENT, "parameter 'timeout' is the request's timeout in microseconds",
                    () -> h.client.blocking().modelInfer(request(1).toBuilder().putParameters(InferRequests.TIMEOUT,
                            com.modelfactory.runtime.grpc.proto.InferParameter.newBuilder().setStringParam("1s").build())
                            .build()));
            model.open();
            running.get(60, TimeUnit.SECONDS);
            assertEquals(List.of(0f), model.rowsSeen());
        }
    }

    @Test
    void serviceDeadlineIsDeadlineExceededToo() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        try (GrpcHarness h = new GrpcHarness("slow", model, 1, 16, 400)) {
            model.hold();
            ListenableFuture<ModelInferResponse> running = h.client.future().modelInfer(request(0));
            model.awaitEntered();
            assertMessage(Status.Code.DEADLINE_EXCEEDED, "request_timeout_ms", () -> h.client.blocking()
                    .modelInfer(request(1)));
            ExecutionException stuck = assertThrows(ExecutionException.class, () -> running.get(60, TimeUnit.SECONDS));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(stuck.getCause()).getCode());
            model.open();
            assertEquals(2.0, h.counter("model_requests_timed_out"));
        }
    }

    @Test
    void fullQueueAndDrainAreUnavailableAtOnce() throws Exception {
        GatedModel model = GatedModel.dynamic(2);
        try (GrpcHarness h = new GrpcHarness("slow", model, 1, 3, 60_000)) {
            model.hold();
            List<ListenableFuture<ModelInferResponse>> accepted = new ArrayList<>();
            accepted.add(h.client.future().modelInfer(request(0)));
            model.awaitEntered();
            accepted.add(h.client.future().modelInfer(request(1)));
            accepted.add(h.client.future().modelInfer(request(2)));
            Await.until("two calls queued", () -> h.service.queueDepth() == 2);
            for (int i = 0; i < 4; i++) {
                assertMessage(Status.Code.UNAVAILABLE, "at capacity", () -> h.client.blocking().modelInfer(request(10)));
            }
            assertEquals(4.0, h.counter("model_requests_rejected"));
            h.state.beginDrain();
            assertMessage(Status.Code.UNAVAILABLE, "shutting down", () -> h.client.blocking().modelInfer(request(11)));
            assertEquals(5.0, h.counter("model_requests_rejected"));
            model.open();
            for (ListenableFuture<ModelInferResponse> f : accepted) {
                assertEquals(1, f.get(60, TimeUnit.SECONDS).getOutputsCount(), "an accepted call failed");
            }
            assertFalse(model.rowsSeen().contains(10f), "a refused call ran");
            String metrics = h.metrics.scrape();
            assertTrue(metrics.contains("grpc_server_requests_seconds_count{code=\"UNAVAILABLE\",method=\"ModelInfer\",model=\"slow\"} 5"),
                    metrics);
        }
    }
}
