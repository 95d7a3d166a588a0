package com.modelfactory.runtime.http;

import com.modelfactory.runtime.batching.DeadlineExceededException;
import com.modelfactory.runtime.batching.QueueFullException;
import com.modelfactory.runtime.batching.ShuttingDownException;
import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.error.ServingException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where errors become HTTP statuses and {"error": "..."} bodies. Never a stack trace. */
public final class ErrorResponder {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);
    private final long requestTimeoutMs;

    public ErrorResponder(long requestTimeoutMs) {
        this.requestTimeoutMs = requestTimeoutMs;
    }

    public void handle(RoutingContext ctx) {
        Throwable failure = unwrap(ctx.failure());
        int status = failure == null ? ctx.statusCode() : statusOf(failure);
        if (status < 400) {
            status = 500;
        }
        String message = failure == null ? defaultMessage(status, ctx) : messageOf(failure, status);
        // 503 (loading, full, draining) and 504 are expected under load and counted in metrics, not logged.
        if (status == 500 || status > 504) {
            log.warn("{} {} failed with {}: {}", ctx.request().method(), ctx.request().path(), status,
                    failure == null ? message : failure.toString());
            log.debug("failure", failure);
        }
        send(ctx, status, message);
    }

    static void send(RoutingContext ctx, int status, String message) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (status == 503) {
            response.putHeader("Retry-After", "1");
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private int statusOf(Throwable t) {
        if (t instanceof HttpException h) {
            return h.status();
        }
        if (t instanceof ServingException s) {
            return switch (s.kind()) {
                case BAD_INPUT -> 400;
                case NOT_FOUND -> 404;
                case METHOD_NOT_ALLOWED -> 405;
                case TOO_LARGE -> 413;
                case UNSUPPORTED_MEDIA_TYPE -> 415;
                case BUSY, UNAVAILABLE -> 503;
                case TIMED_OUT -> 504;
                case INTERNAL -> 500;
            };
        }
        if (t instanceof InvalidInputException || t instanceof IllegalArgumentException) {
            return 400;
        }
        if (t instanceof QueueFullException || t instanceof ShuttingDownException
                || t instanceof RejectedExecutionException) {
            return 503;
        }
        if (t instanceof DeadlineExceededException || t instanceof TimeoutException
                || t instanceof CancellationException) {
            return 504;
        }
        if (t instanceof io.vertx.ext.web.handler.HttpException h) {
            return h.getStatusCode();
        }
        return 500;
    }

    private String messageOf(Throwable t, int status) {
        if (t instanceof TimeoutException || t instanceof CancellationException) {
            return new DeadlineExceededException(requestTimeoutMs).getMessage();
        }
        if (t instanceof RejectedExecutionException) {
            return new QueueFullException(0).getMessage().replace(" (0 requests queued)", "");
        }
        if (t instanceof InferenceException) {
            return "inference failed: " + t.getMessage();
        }
        if (status == 500 && !(t instanceof HttpException)) {
            return "internal error (" + t.getClass().getSimpleName() + ")";
        }
        if (t instanceof io.vertx.ext.web.handler.HttpException h) {
            return defaultMessage(h.getStatusCode(), null);
        }
        return t.getMessage() == null ? defaultMessage(status, null) : t.getMessage();
    }

    private static String defaultMessage(int status, RoutingContext ctx) {
        String path = ctx == null ? "" : " " + ctx.request().method() + " " + ctx.request().path();
        return switch (status) {
            case 404 -> "not found:" + path + "; routes: POST /predict, POST /v2/models/{name}/infer, GET /v2, "
                    + "GET /v2/models/{name}, GET /model, GET /health/live, GET /health/ready, GET /metrics";
            case 405 -> "method not allowed:" + path;
            case 413 -> "request body too large (max_body_bytes / MAX_BODY_BYTES)";
            case 415 -> "unsupported content type";
            default -> "request failed with status " + status;
        };
    }
}
