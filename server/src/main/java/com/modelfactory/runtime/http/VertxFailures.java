package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.json.DecodeException;

/** What Vert.x and Netty report about a request, as the serving error model. */
final class VertxFailures {
    static final String ROUTES = "routes: POST /predict, POST /v2/models/{name}[/versions/{v}]/infer, GET /v2, "
            + "GET /v2/models/{name}[/versions/{v}][/ready|/config|/stats], GET /v2/models/stats, "
            + "POST /v2/repository/index, POST /v1/models/{name}[/versions/{v}]:predict, GET /v1/models/{name}[/metadata], "
            + "GET /model, GET /health/live, GET /health/ready, GET /metrics";

    private VertxFailures() {
    }

    /** A failure a Vert.x handler passed to the router, in our terms (others pass through). */
    static Throwable translate(Throwable t) {
        if (t instanceof io.vertx.ext.web.handler.HttpException h) {
            return ofStatus(h.getStatusCode(), h.getPayload() == null ? "" : h.getPayload());
        }
        if (t instanceof HttpPostRequestDecoder.TooLongFormFieldException
                || t instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
            return new ServingException(Kind.TOO_LARGE, "a form field or the number of form fields is over the limit");
        }
        if (t instanceof io.vertx.core.VertxException && "Pipe closed".equals(t.getMessage())) {
            // the same from the other side: a file part's pipe into its upload file closed before the part was
            // stored (RouteFuzzTest: a part named "" with filename ".png" followed by another); nothing of ours
            // pipes, so only an upload can fail this way
            return ServingException.badInput("the multipart body is malformed");
        }
        if (t.getClass().getSimpleName().equals("NoStackTraceThrowable") && "Streaming aborted".equals(t.getMessage())) {
            // a multipart part Vert.x could not stream into its upload file: the part is malformed
            return ServingException.badInput("the multipart body is malformed");
        }
        if (t instanceof HttpPostRequestDecoder.ErrorDataDecoderException || t instanceof DecodeException
                || (t instanceof IllegalArgumentException && fromFormDecoding(t))) {
            return ServingException.badInput("the form body is malformed");
        }
        return t;
    }

    /** Whether the client ended the request itself: an HTTP/2 RST_STREAM, or the connection closed. */
    static boolean clientGone(Throwable t) {
        return t instanceof io.vertx.core.http.StreamResetException || t instanceof io.vertx.core.http.HttpClosedException;
    }

    /**
     * Vert.x decodes form bodies (for any route that buffers the body) and reports a bad escape or an
     * empty field name as a plain IllegalArgumentException; only its origin tells it from a bug of ours.
     */
    private static boolean fromFormDecoding(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("io.netty.handler.codec.http.multipart.") || c.startsWith("io.netty.handler.codec.http.QueryStringDecoder")
                    || (c.equals("io.vertx.core.http.impl.Http1xServerRequest") && e.getMethodName().contains("ecode"))) {
                return true;
            }
        }
        return false;
    }

    /** A bare status the router or a handler failed with, e.g. 404 for no route or 413 from the body limit. */
    static ServingException ofStatus(int status, String what) {
        return switch (status) {
            case 400 -> ServingException.badInput("bad request: " + what);
            case 404 -> ServingException.notFound("no route " + what + "; " + ROUTES);
            case 405 -> new ServingException(Kind.METHOD_NOT_ALLOWED, "method not allowed: " + what);
            case 413 -> ServingException.tooLarge("request body over the limit (max_body_bytes / MAX_BODY_BYTES)");
            case 415 -> new ServingException(Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported content type: " + what);
            case 503 -> ServingException.unavailable("not available now: " + what);
            default -> new ServingException(Kind.INTERNAL, "request failed with status " + status + ": " + what);
        };
    }
}
