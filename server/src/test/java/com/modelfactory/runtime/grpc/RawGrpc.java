package com.modelfactory.runtime.grpc;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gRPC on the wire, without a gRPC library: an HTTP/2 (prior knowledge) POST with gRPC headers and framed
 * messages as given, and the answer's HTTP status, headers, body and trailers as they came. For what a
 * well-behaved client never sends: bombs, bad frames, odd encodings, its own grpc-timeout.
 */
final class RawGrpc implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1"));
    private final int port;

    RawGrpc(int port) {
        this.port = port;
    }

    record Answer(int httpStatus, MultiMap headers, Buffer body, MultiMap trailers) {
        /** grpc-status from the trailers, or from the headers of a trailers-only answer. */
        String status() {
            String s = trailers.get("grpc-status");
            return s != null ? s : headers.get("grpc-status");
        }

        String message() {
            String m = trailers.get("grpc-message");
            m = m != null ? m : headers.get("grpc-message");
            return m == null ? null : URLDecoder.decode(m, StandardCharsets.UTF_8);
        }
    }

    /** The 5-byte gRPC prefix (compressed flag, big-endian length) and the payload. */
    static Buffer frame(boolean compressed, byte[] payload) {
        return Buffer.buffer().appendByte((byte) (compressed ? 1 : 0)).appendInt(payload.length).appendBytes(payload);
    }

    Answer call(String method, Map<String, String> headers, Buffer body) {
        return call(method, "application/grpc", headers, body);
    }

    Answer call(String method, String contentType, Map<String, String> headers, Buffer body) {
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port)
                        .setURI("/inference.GRPCInferenceService/" + method))
                .compose(req -> {
                    req.putHeader("content-type", contentType).putHeader("te", "trailers");
                    headers.forEach(req::putHeader);
                    return req.send(body);
                })
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b, resp.trailers())))
                .toCompletionStage().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** A plain HTTP/2 request (not gRPC) on the same kind of connection. */
    Answer get(String path) {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setURI(path))
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b, resp.trailers())))
                .toCompletionStage().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
