package com.modelfactory.runtime.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Requests the HTTP codec could not parse (request line or headers too long, a malformed request,
 * TLS bytes on the plain port): answered with a JSON error like every other one, then closed, since
 * nothing more on such a connection can be trusted. Vert.x's default answers with an empty body.
 */
final class InvalidRequests {
    private InvalidRequests() {
    }

    static Handler<HttpServerRequest> handler(ErrorResponder errors) {
        return request -> {
            Throwable cause = request.decoderResult().cause();
            int status;
            String message;
            if (cause instanceof TooLongHttpLineException) {
                status = 414;
                message = "the request line is too long (max_initial_line_length)";
            } else if (cause instanceof TooLongHttpHeaderException) {
                status = 431;
                message = "the request headers are too large (max_header_size)";
            } else {
                status = 400;
                message = "malformed HTTP request" + (cause == null || cause.getMessage() == null ? ""
                        : ": " + cause.getMessage().lines().findFirst().orElse(""));
            }
            request.response().putHeader("Connection", "close");
            ErrorResponder.json(request.response(), status, new JsonObject().put("error", message));
            request.connection().close();
        };
    }
}
