package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.grpc.proto.ServerLiveResponse;
import com.modelfactory.runtime.testing.GatedModel;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC framing and compression as bytes on an HTTP/2 connection: a gzip bomb is refused after the size
 * limit of inflated bytes (RESOURCE_EXHAUSTED, the server keeps serving), gzip and deflate (zlib) requests
 * are read, unknown encodings and the JSON wire format are UNIMPLEMENTED, a message over the limit and a
 * unary call with two messages are refused, the server keeps its own grpc-timeout deadline.
 */
class GrpcWireTest {
    private static final long LIMIT = 1 << 20;
    private GatedModel model;
    private GrpcHarness harness;
    private RawGrpc raw;

    @BeforeEach
    void start() {
        model = GatedModel.dynamic(2);
        harness = new GrpcHarness("m", model, 1, 16, 60_000, "--max-body-bytes", Long.toString(LIMIT));
        raw = new RawGrpc(harness.port());
    }

    @AfterEach
    void stop() throws Exception {
        model.open();
        raw.close();
        harness.close();
    }

    private static byte[] request(float v) {
        return fp32("m", "x", new float[] {v, v}, 1, 2).build().toByteArray();
    }

    private static byte[] compress(byte[] bytes, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = gzip ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    private void assertServing() throws Exception {
        RawGrpc.Answer ok = raw.call("ModelInfer", Map.of(), RawGrpc.frame(false, request(3)));
        assertEquals("0", ok.status(), ok.message());
        ModelInferResponse r = ModelInferResponse.parseFrom(ok.body().getBytes(5, ok.body().length()));
        assertEquals(7f, GrpcRequests.outputFloats(r, 0)[0]);
    }

    @Test
    void gzipBombIsRefusedAfterTheLimitOfInflatedBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            for (int i = 0; i < 512; i++) {
                gzip.write(zeros); // 512 MiB inflated
            }
        }
        byte[] bomb = out.toByteArray();
        assertTrue(bomb.length < LIMIT, "the bomb itself is under the limit: " + bomb.length);
        RawGrpc.Answer a = raw.call("ModelInfer", Map.of("grpc-encoding", "gzip"), RawGrpc.frame(true, bomb));
        assertEquals(200, a.httpStatus());
        assertEquals("8", a.status(), "RESOURCE_EXHAUSTED: " + a.message());
        assertTrue(a.message().contains("over 1048576 bytes (max_body_bytes / MAX_BODY_BYTES)"), a.message());
        assertServing();
    }

    @Test
    void gzipAndDeflateRequestsAreRead() throws Exception {
        for (String encoding : new String[] {"gzip", "deflate"}) {
            RawGrpc.Answer a = raw.call("ModelInfer", Map.of("grpc-encoding", encoding, "grpc-accept-encoding", "gzip"),
                    RawGrpc.frame(true, compress(request(1), encoding.equals("gzip"))));
            assertEquals("0", a.status(), encoding + ": " + a.message());
            assertEquals("gzip", a.headers().get("grpc-encoding"), "a compressed request is answered with gzip");
            assertEquals(1, a.body().getByte(0), "the response message is flagged compressed");
        }
        RawGrpc.Answer corrupt = raw.call("ModelInfer", Map.of("grpc-encoding", "gzip"),
                RawGrpc.frame(true, new byte[] {31, (byte) 139, 8, 0, 1, 2, 3}));
        assertEquals("3", corrupt.status(), corrupt.message());
        assertTrue(corrupt.message().contains("not valid gzip"), corrupt.message());
        assertServing();
    }

    @Test
    void unknownEncodingsAndJsonAreUnimplemented() throws Exception {
        RawGrpc.Answer snappy = raw.call("ModelInfer", Map.of("grpc-encoding", "snappy"),
                RawGrpc.frame(true, request(1)));
        assertEquals("12", snappy.status(), snappy.message());
        assertTrue(snappy.message().contains("grpc-encoding 'snappy' is not supported"), snappy.message());
        RawGrpc.Answer json = raw.call("ServerLive", "application/grpc+json", Map.of(), RawGrpc.frame(false, "{}".getBytes()));
        assertEquals("12", json.status(), json.message());
        assertServing();
    }

    @Test
    void oversizeMessagesAndTwoMessagesAreRefused() throws Exception {
        byte[] big = fp32("m", "x", new float[(int) LIMIT / 4], 1, LIMIT / 4).build().toByteArray();
        RawGrpc.Answer over = raw.call("ModelInfer", Map.of(), RawGrpc.frame(false, big));
        assertEquals("8", over.status(), over.message());
        Buffer two = RawGrpc.frame(false, request(1)).appendBuffer(RawGrpc.frame(false, request(2)));
        RawGrpc.Answer twice = raw.call("ModelInfer", Map.of(), two);
        assertEquals("3", twice.status(), twice.message());
        assertTrue(twice.message().contains("exactly one request message, got 2"), twice.message());
        RawGrpc.Answer none = raw.call("ModelInfer", Map.of(), Buffer.buffer());
        assertEquals("3", none.status(), none.message());
        RawGrpc.Answer garbage = raw.call("ServerLive", Map.of(), RawGrpc.frame(false, new byte[] {(byte) 0xff, 1}));
        assertEquals("3", garbage.status(), garbage.message());
        RawGrpc.Answer live = raw.call("ServerLive", Map.of(), RawGrpc.frame(false, new byte[0]));
        assertEquals("0", live.status());
        assertTrue(ServerLiveResponse.parseFrom(live.body().getBytes(5, live.body().length())).getLive());
        assertEquals(0, model.rowsSeen().size(), "a refused call ran");
        assertServing();
    }

    @Test
    void grpcTimeoutIsTheServersDeadlineToo() throws Exception {
        model.hold();
        Thread first = new Thread(() -> raw.call("ModelInfer", Map.of(), RawGrpc.frame(false, request(0))));
        first.start();
        model.awaitEntered();
        RawGrpc.Answer late = raw.call("ModelInfer", Map.of("grpc-timeout", "200m"), RawGrpc.frame(false, request(1)));
        assertEquals("4", late.status(), late.message());
        assertTrue(late.message().contains("grpc-timeout 200m"), late.message());
        assertEquals(1.0, harness.counter("model_requests_timed_out"));
        model.open();
        first.join(60_000);
        assertServing();
        assertEquals(2, model.rowsSeen().size(), "the late call ran: " + model.rowsSeen());
    }
}
