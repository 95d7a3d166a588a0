package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.error.FailureReport;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The one place where errors become gRPC status codes, the twin of http/ErrorResponder: the kind of the
 * {@link ServingException} alone decides the code; an internal fault is logged with an id that the status
 * message carries instead of any detail; every UNAVAILABLE and DEADLINE_EXCEEDED is counted in the metrics.
 */
final class GrpcStatuses {

    private GrpcStatuses() {
    }

    static GrpcStatus code(Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> GrpcStatus.INVALID_ARGUMENT;
            case NOT_FOUND -> GrpcStatus.NOT_FOUND;
            // an unknown method, or a grpc-encoding the server cannot read: gRPC's own rule for both
            case METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE -> GrpcStatus.UNIMPLEMENTED;
            case TOO_LARGE -> GrpcStatus.RESOURCE_EXHAUSTED;
            case BUSY, UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
            case TIMED_OUT -> GrpcStatus.DEADLINE_EXCEEDED;
            // the request message did not arrive in time: not the request's deadline, and not retryable as is
            case CLIENT_TIMEOUT -> GrpcStatus.CANCELLED;
            case UNAUTHENTICATED -> GrpcStatus.UNAUTHENTICATED;
            case FORBIDDEN -> GrpcStatus.PERMISSION_DENIED;
            case INTERNAL -> GrpcStatus.INTERNAL;
        };
    }

    /**
     * The status message for {@code e}, logging an internal fault with an id first; counts refusals and
     * deadlines. {@code what} names the call in the log.
     */
    static String message(ServingException e, String what, RuntimeMetrics metrics) {
        return FailureReport.clientMessage(e, what, metrics);
    }
}
