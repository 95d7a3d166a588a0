package com.modelfactory.runtime.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.error.ServingException;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Bounded inflation of request messages, the response encoding rule, and grpc-timeout parsing. */
class MessageCodecTest {

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void inflatesUpToTheLimitExactlyAndRefusesOneByteMore() throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        GrpcMessage m = GrpcMessage.message("gzip", Buffer.buffer(gzip(data)));
        assertArrayEquals(data, bytes(MessageCodec.read(m, data.length, "limit")));
        ServingException e = assertThrows(ServingException.class, () -> MessageCodec.read(m, data.length - 1, "the limit"));
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("over 199999 bytes (the limit)"), e.getMessage());
        ServingException identity = assertThrows(ServingException.class, () -> MessageCodec.read(
                GrpcMessage.message("identity", Buffer.buffer(data)), 10, "ten"));
        assertEquals(ServingException.Kind.TOO_LARGE, identity.kind());
    }

    @Test
    void emptyAndUndeclaredAndUnknownEncodings() throws Exception {
        assertEquals(0, MessageCodec.read(GrpcMessage.message("gzip", Buffer.buffer(gzip(new byte[0]))), 10, "x")
                .remaining());
        assertEquals(ServingException.Kind.BAD_INPUT, assertThrows(ServingException.class, () -> MessageCodec.read(
                GrpcMessage.message(MessageCodec.UNDECLARED, Buffer.buffer(new byte[3])), 10, "x")).kind());
        assertEquals(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, assertThrows(ServingException.class,
                () -> MessageCodec.read(GrpcMessage.message("br", Buffer.buffer(new byte[3])), 10, "x")).kind());
    }

    @Test
    void responsesAreGzipOnlyWhenTheRequestWasCompressedAndGzipIsAccepted() throws Exception {
        assertEquals("gzip", MessageCodec.responseEncoding("deflate", Set.of("gzip", "deflate")));
        assertEquals("identity", MessageCodec.responseEncoding("gzip", Set.of("deflate")));
        assertEquals("identity", MessageCodec.responseEncoding("identity", Set.of("gzip")));
        assertEquals("identity", MessageCodec.responseEncoding(MessageCodec.UNDECLARED, Set.of("gzip")));
        byte[] payload = "hello hello hello".getBytes();
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(
                MessageCodec.payload(payload, "gzip").getBytes()))) {
            assertArrayEquals(payload, in.readAllBytes());
        }
        assertArrayEquals(payload, MessageCodec.payload(payload, "identity").getBytes());
    }

    @Test
    void grpcTimeoutHeaders() {
        assertEquals(200_000_000L, Deadlines.grpcTimeoutNanos("200m"));
        assertEquals(1_500L, Deadlines.grpcTimeoutNanos("1500n"));
        assertEquals(3_000_000L, Deadlines.grpcTimeoutNanos("3000u"));
        assertEquals(7_200_000_000_000L, Deadlines.grpcTimeoutNanos("2H"));
        assertEquals(60_000_000_000L, Deadlines.grpcTimeoutNanos("1M"));
        assertEquals(5_000_000_000L, Deadlines.grpcTimeoutNanos("5S"));
        assertEquals(-1, Deadlines.grpcTimeoutNanos(null));
        assertEquals(-1, Deadlines.grpcTimeoutNanos("123456789m"), "at most 8 digits");
        assertEquals(-1, Deadlines.grpcTimeoutNanos("10x"));
    }
}
