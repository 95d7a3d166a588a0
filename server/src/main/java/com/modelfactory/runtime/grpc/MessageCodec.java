package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.transport.BoundedInflation;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * gRPC message compression (the {@code grpc-encoding} header and the per-message compressed flag).
 * Requests may come as gzip or deflate (zlib, as gRPC and tritonclient mean it) and are inflated here,
 * not by Vert.x, whose decoder inflates without bound: the size limit applies to the inflated message, so a
 * compressed bomb is refused after {@code limit} bytes, whatever it would inflate to. Responses are gzip
 * when the request itself was compressed and the client accepts gzip (Vert.x writes gzip only).
 */
final class MessageCodec {
    static final String GZIP = "gzip";
    static final String DEFLATE = "deflate";
    /** Stands for a missing grpc-encoding header (see GrpcEndpoint.handle). */
    static final String UNDECLARED = "undeclared";
    private static final int CHUNK = 64 * 1024;

    private MessageCodec() {
    }

    /**
     * The message's bytes, inflated when compressed: at most {@code limit} of them, else TOO_LARGE naming
     * {@code limitName}.
     */
    static ByteBuffer read(GrpcMessage message, long limit, String limitName) {
        String encoding = message.encoding();
        byte[] wire = message.payload().getBytes();
        if (encoding == null || encoding.equals("identity")) {
            if (wire.length > limit) {
                throw tooLarge(limit, limitName);
            }
            return ByteBuffer.wrap(wire);
        }
        try (InputStream in = switch (encoding) {
            case GZIP -> new GZIPInputStream(new ByteArrayInputStream(wire), CHUNK);
            case DEFLATE -> new InflaterInputStream(new ByteArrayInputStream(wire));
            case UNDECLARED -> throw ServingException.badInput("the request message is flagged compressed but the "
                    + "call has no grpc-encoding header");
            default -> throw new ServingException(Kind.UNSUPPORTED_MEDIA_TYPE, "grpc-encoding '" + encoding
                    + "' is not supported; send gzip, deflate or identity");
        }) {
            return BoundedInflation.read(in, limit, wire.length, () -> tooLarge(limit, limitName));
        } catch (IOException e) {
            throw ServingException.badInput("the request message is not valid " + encoding + ": " + e.getMessage());
        }
    }

    private static ServingException tooLarge(long limit, String limitName) {
        return ServingException.tooLarge("the request message is over " + limit + " bytes (" + limitName + ")");
    }

    /** The encoding for the response: gzip when the request was compressed and gzip is accepted back. */
    static String responseEncoding(String requestEncoding, Set<String> accepted) {
        boolean compressed = requestEncoding != null && !requestEncoding.equals("identity")
                && !requestEncoding.equals(UNDECLARED);
        return compressed && accepted.contains(GZIP) ? GZIP : "identity";
    }

    /** {@code bytes} as the message payload for {@code encoding} (gzip or identity). */
    static Buffer payload(byte[] bytes, String encoding) {
        if (!encoding.equals(GZIP)) {
            return Buffer.buffer(bytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 2));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }
}
