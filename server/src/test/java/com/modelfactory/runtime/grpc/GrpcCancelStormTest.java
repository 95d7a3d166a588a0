package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.testing.RawHttp2;
import com.modelfactory.runtime.testing.TestRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client does on a deadline or a user abort: of 5 concurrent ModelInfer calls on one channel, 4 are
 * cancelled (RST_STREAM CANCEL) while in flight. The fifth must succeed every time, on the HTTP port and on
 * the gRPC port: a reset stream must not take its connection, and the other calls on it, down. It did:
 * Vert.x's rapid-reset limit (200 resets in 30 s) closed the connection about every 50 rounds, calls in
 * flight failing UNAVAILABLE or RESOURCE_EXHAUSTED, and Vert.x logged a NullPointerException as it closed.
 * The same storm from raw frames, and the attack the limit is for (every stream reset) still stopped
 * ({@link com.modelfactory.runtime.transport.ResetBudget}). From Python grpcio: {@code chaos/}.
 */
class GrpcCancelStormTest {
    private static final int ROUNDS = 300;
    private static final String MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer";
    private static final long CANCEL = 0x8;
    private static final long ENHANCE_YOUR_CALM = 0xb;
    private static TestRuntime runtime;
    private static int grpcPort;
    private static final PrintStream STDERR = System.err;
    /** What the runtime logs (slf4j-simple writes to System.err as it is at each call). */
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        System.setErr(new PrintStream(new TeeOutputStream(STDERR, LOG), true));
        try (ServerSocket s = new ServerSocket(0)) {
            grpcPort = s.getLocalPort();
        }
        runtime = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--model-name", "cnn", "--grpc-port", Integer.toString(grpcPort));
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        System.setErr(STDERR);
    }

    /** Vert.x's NullPointerException as a connection with queued answers closed, or any other error logged. */
    private static void assertNothingLoggedAsAnError() {
        String log;
        synchronized (LOG) {
            log = LOG.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertFalse(log.contains("NullPointerException") || log.contains(" ERROR "), log);
    }

    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        TeeOutputStream(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            synchronized (b) {
                b.write(bytes, off, len);
            }
        }
    }

    @Test
    void cancelledCallsLeaveTheirNeighboursOnTheHttpPortAlone() throws Exception {
        assertEquals(List.of(), storm(runtime.server().port()));
        assertNothingLoggedAsAnError();
    }

    @Test
    void cancelledCallsLeaveTheirNeighboursOnTheGrpcPortAlone() throws Exception {
        assertEquals(List.of(), storm(grpcPort));
        assertNothingLoggedAsAnError();
    }

    @Test
    void rawCancelsBetweenAnsweredCallsKeepTheConnection() throws Exception {
        byte[] message = grpcMessage();
        try (RawHttp2 h2 = new RawHttp2(runtime.server().port())) {
            int stream = 1;
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < 4; i++, stream += 2) {
                    h2.post(stream, MODEL_INFER, "application/grpc");
                    h2.data(stream, message, true);
                    h2.reset(stream, CANCEL);
                }
                h2.post(stream, MODEL_INFER, "application/grpc");
                h2.data(stream, message, true);
                h2.flush();
                RawHttp2.Frame end = h2.awaitEnd(stream);
                assertEquals(stream, end == null ? -1 : end.stream(), "round " + round + ": the answered call "
                        + "ended with " + (end == null ? "the socket closed" : "frame type " + end.type()));
                stream += 2;
            }
            RawHttp2.Frame pong = h2.pingPong();
            assertEquals(RawHttp2.PING, pong == null ? -1 : pong.type(), "the connection still answers a PING");
        }
        assertNothingLoggedAsAnError();
    }

    @Test
    void resettingEveryStreamIsStillARapidResetAttack() throws Exception {
        try (RawHttp2 h2 = new RawHttp2(runtime.server().port())) {
            // Written from a thread of its own: the server may close the connection while frames are still
            // being sent (a broken pipe then ends the writing), and its GOAWAY is read meanwhile.
            Thread attacker = new Thread(() -> {
                try {
                    for (int stream = 1; stream < 2 * 1000; stream += 2) {
                        h2.post(stream, MODEL_INFER, "application/grpc");
                        h2.reset(stream, CANCEL);
                    }
                    h2.flush();
                } catch (IOException closedByTheServer) {
                    // what the defence does
                }
            });
            attacker.start();
            RawHttp2.Frame f;
            do {
                f = h2.next();
            } while (f != null && f.type() != RawHttp2.GOAWAY);
            long code = f == null ? -1 : f.errorCode();
            while (f != null) {
                f = h2.next(); // and the connection closes, its calls all gone
            }
            attacker.join();
            // The GOAWAY can be lost to the client when the server's close meets frames it has not read
            // (a TCP reset discards what the client had not read yet); the server's log says why it closed.
            String log;
            synchronized (LOG) {
                log = LOG.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            assertTrue(code == ENHANCE_YOUR_CALM || log.contains("reset more streams than its calls earn"),
                    "neither GOAWAY ENHANCE_YOUR_CALM (got " + code + ") nor the reset budget's warning:\n" + log);
        }
    }

    private static byte[] grpcMessage() {
        byte[] proto = fp32("cnn", "input", new float[3 * 32 * 32], 1, 3, 32, 32).build().toByteArray();
        ByteBuffer b = ByteBuffer.allocate(5 + proto.length).put((byte) 0).putInt(proto.length).put(proto);
        return b.array();
    }

    /** @return the failures of the calls that were not cancelled */
    private static List<String> storm(int port) throws InterruptedException {
        ModelInferRequest request = fp32("cnn", "input", new float[3 * 32 * 32], 1, 3, 32, 32).build();
        List<String> failures = new ArrayList<>();
        try (GrpcClient client = new GrpcClient(port)) {
            for (int round = 0; round < ROUNDS; round++) {
                List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    calls.add(client.future().modelInfer(request));
                }
                for (int i = 1; i < 5; i++) {
                    calls.get(i).cancel(true);
                }
                try {
                    calls.get(0).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add("round " + round + ": " + e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    failures.add("round " + round + ": no answer in 30 s");
                }
            }
        }
        return failures;
    }
}
