package com.modelfactory.runtime.grpc;

import com.google.protobuf.MessageLite;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unary call, from its headers to its end: collects its one request message, then answers exactly
 * once, with a message or with the status of a {@link ServingException}, unless the client goes first
 * (reset, its own deadline, connection lost), in which case the work it started is cancelled. Deadlines
 * (grpc-timeout, the request's timeout parameter) end it with DEADLINE_EXCEEDED. Times and counts itself
 * by method and status. Its state is touched on its connection's event loop only.
 */
final class GrpcCall {
    private static final Logger log = LoggerFactory.getLogger(GrpcCall.class);

    private final GrpcServerRequest<Buffer, Buffer> request;
    private final GrpcServerResponse<Buffer, Buffer> response;
    private final Vertx vertx;
    private final Context context;
    private final RuntimeMetrics metrics;
    private final String method;
    private final String responseEncoding;
    private final long started = System.nanoTime();
    private GrpcMessage message;
    private int messages;
    private boolean ended;
    private CompletableFuture<?> work;
    private long bodyTimer = -1;
    private long deadlineTimer = -1;
    private long deadlineNanos = Long.MAX_VALUE;

    GrpcCall(GrpcServerRequest<Buffer, Buffer> request, Vertx vertx, RuntimeMetrics metrics, String method) {
        this.request = request;
        this.response = request.response();
        this.vertx = vertx;
        this.context = Vertx.currentContext();
        this.metrics = metrics;
        this.method = method;
        this.responseEncoding = MessageCodec.responseEncoding(request.encoding(), response.acceptedEncodings());
    }

    /** Reads the request; {@code handle} runs on the event loop once its one message is complete. */
    void start(Duration bodyTimeout, Consumer<GrpcCall> handle) {
        request.messageHandler(m -> {
            if (++messages == 1) {
                message = m;
            } else {
                fail(oneMessage()); // at once: a client streaming messages into a unary call is not read on
            }
        });
        request.invalidMessageHandler(e -> fail(ServingException.tooLarge("the request message is over "
                + "the size limit (max_body_bytes / MAX_BODY_BYTES)"
                + (e.getMessage() == null ? "" : ": " + e.getMessage())))); // Vert.x may give none: no ": null"
        request.errorHandler(error -> abandon());
        request.exceptionHandler(error -> abandon());
        request.endHandler(v -> {
            cancel(bodyTimer);
            if (ended) {
                return;
            }
            if (messages != 1) {
                fail(oneMessage());
                return;
            }
            try {
                handle.accept(this);
            } catch (RuntimeException e) {
                fail(e);
            }
        });
        bodyTimer = vertx.setTimer(bodyTimeout.toMillis(), id -> fail(new ServingException(Kind.CLIENT_TIMEOUT,
                "the request message did not arrive within " + bodyTimeout.toMillis() + " ms (body_timeout_ms)")));
        long timeout = Deadlines.grpcTimeoutNanos(request.headers().get("grpc-timeout"));
        if (timeout >= 0) {
            deadline(timeout, "the call's deadline (grpc-timeout " + request.headers().get("grpc-timeout") + ")");
        }
    }

    private ServingException oneMessage() {
        return ServingException.badInput("a unary call takes exactly one request message, got " + messages);
    }

    String method() {
        return method;
    }

    GrpcMessage message() {
        return message;
    }

    /** The work answering this call: cancelled when the client goes, failed with TIMED_OUT at the deadline. */
    void working(CompletableFuture<?> future) {
        onContext(() -> {
            work = future;
            if (ended) {
                future.cancel(false);
            }
        });
    }

    /** Ends the call with DEADLINE_EXCEEDED {@code nanos} after it started, unless an earlier deadline is set. */
    void deadline(long nanos, String what) {
        onContext(() -> {
            if (ended || nanos >= deadlineNanos) {
                return;
            }
            deadlineNanos = nanos;
            cancel(deadlineTimer);
            long left = started + nanos - System.nanoTime();
            ServingException late = new ServingException(Kind.TIMED_OUT, what + " passed before the request was served");
            if (left <= 0) {
                expire(late);
            } else {
                deadlineTimer = vertx.setTimer(Math.max(1, left / 1_000_000), id -> expire(late));
            }
        });
    }

    private void expire(ServingException late) {
        if (ended) {
            return;
        }
        if (work != null) {
            work.completeExceptionally(late); // drops the request wherever it is; answered through the work's end
        } else {
            fail(late);
        }
    }

    /** Answers with {@code m} (from any thread: serialised and compressed here, written on the event loop). */
    void respond(MessageLite m) {
        Buffer payload = MessageCodec.payload(m.toByteArray(), responseEncoding);
        onContext(() -> {
            if (finish()) {
                try {
                    response.encoding(responseEncoding);
                    response.endMessage(GrpcMessage.message(responseEncoding, WireFormat.PROTOBUF, payload));
                    record(GrpcStatus.OK);
                } catch (RuntimeException gone) {
                    streamGone(gone);
                }
            }
        });
    }

    /** Answers with the status of {@code thrown}, classified (from any thread). */
    void fail(Throwable thrown) {
        ServingException e = Failures.classify(thrown);
        onContext(() -> {
            if (!finish()) {
                log.debug("{} failed after it ended: {}", method, e.toString());
                return;
            }
            GrpcStatus code = GrpcStatuses.code(e.kind());
            String text = GrpcStatuses.message(e, "gRPC " + method, metrics);
            try {
                response.status(code).statusMessage(text).end();
                record(code);
            } catch (RuntimeException gone) {
                streamGone(gone);
            }
        });
    }

    /**
     * The answer met a stream that the client had closed a moment before (its close not yet seen here):
     * Vert.x then throws (IllegalStateException, or a NullPointerException from deep in its HTTP/2 stream);
     * nobody is left to tell.
     */
    private void streamGone(RuntimeException e) {
        log.debug("{}: the stream closed before the answer was sent: {}", method, e.toString());
        record(GrpcStatus.CANCELLED);
    }

    /** The client went away: nothing to answer; the work stops. */
    private void abandon() {
        if (finish()) {
            record(GrpcStatus.CANCELLED);
        }
    }

    /** @return true the first time: the call ends now */
    private boolean finish() {
        if (ended) {
            return false;
        }
        ended = true;
        cancel(bodyTimer);
        cancel(deadlineTimer);
        if (work != null) {
            work.cancel(false);
        }
        return true;
    }

    private void record(GrpcStatus code) {
        metrics.rpc(method, code.name(), System.nanoTime() - started);
    }

    private void cancel(long timer) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void onContext(Runnable r) {
        if (Vertx.currentContext() == context) {
            r.run();
        } else {
            context.runOnContext(v -> r.run());
        }
    }
}
