package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.FailureReport;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become HTTP statuses and {"error": "..."} bodies. Whatever failed is
 * classified into a {@link ServingException} first; its kind alone decides the status. An internal
 * fault is logged with an id that the body carries instead of any detail. Every 503 and 504 is
 * counted here, whichever stage refused the request.
 */
public final class ErrorResponder {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);
    /** nginx's "client closed request": what the metrics and the access log record for an abandoned request. */
    static final int CLIENT_CLOSED_REQUEST = 499;
    private final RuntimeMetrics metrics;

    public ErrorResponder(RuntimeMetrics metrics) {
        this.metrics = metrics;
    }

    public static int status(Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> 400;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case CLIENT_TIMEOUT -> 408;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case INTERNAL -> 500;
            case BUSY, UNAVAILABLE -> 503;
            case TIMED_OUT -> 504;
        };
    }

    /** The router's failure handler: {@code ctx.failure()} or the status a Vert.x handler failed with. */
    public void handle(RoutingContext ctx) {
        if (ctx.failure() != null && VertxFailures.clientGone(ctx.failure())) {
            // the client reset the stream or closed the connection mid-request: nobody to answer, nothing of ours;
            // 499 (nginx's "client closed request") is what the metrics and the access log record
            ctx.response().setStatusCode(CLIENT_CLOSED_REQUEST);
            log.debug("{} {}: abandoned by the client ({})", ctx.request().method(), ctx.request().path(),
                    ctx.failure().toString());
            return;
        }
        ServingException e = ctx.failure() != null ? Failures.classify(VertxFailures.translate(ctx.failure()))
                : VertxFailures.ofStatus(ctx.statusCode(), ctx.request().method() + " " + ctx.request().path());
        send(ctx, e);
    }

    public void send(RoutingContext ctx, ServingException e) {
        HttpServerRequest request = ctx.request();
        // A body over the limit still arriving: answer, then stop it, so a client cannot make the server read
        // gigabytes after its 413. HTTP/1.x: close the connection. HTTP/2: the connection carries other
        // calls, so only the stream is cut, by RST_STREAM NO_ERROR after the answer (RFC 9113 section 8.1).
        boolean cut = e.kind() == Kind.TOO_LARGE && !request.isEnded();
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        if (cut && !http2 && !ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Connection", "close");
        }
        Future<Void> written = send(ctx.response(), e, request.method() + " " + request.path());
        if (cut) {
            Runnable stop = http2 ? () -> ctx.response().reset(0) : () -> request.connection().close();
            if (written == null) {
                stop.run();
            } else {
                written.onComplete(done -> stop.run()); // once the 413 is on the wire
            }
        }
    }

    /** Writes the error unless the response is already gone; {@code what} names the request in the log. */
    /** @return the write of the error, or null when nothing was written */
    public Future<Void> send(HttpServerResponse response, ServingException e, String what) {
        if (response.ended() || response.closed()) {
            // answered already, or the client is gone (a failure after a 413, a disconnect): nobody to tell
            log.debug("{} failed after its response: {}", what, e.getCause() == null ? e : e.getCause());
            return null;
        }
        String message = FailureReport.clientMessage(e, what, metrics);
        if (e.kind() == Kind.UNAUTHENTICATED) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        if (e.kind() == Kind.BUSY || e.kind() == Kind.UNAVAILABLE) {
            response.putHeader("Retry-After", "1");
        }
        return json(response, status(e.kind()), new JsonObject().put("error", message));
    }

    static Future<Void> json(HttpServerResponse response, int status, JsonObject body) {
        return response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
