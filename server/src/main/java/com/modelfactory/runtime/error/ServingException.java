package com.modelfactory.runtime.error;

/**
 * The one error type of the serving path. Thrown where the problem is found (a parser, the image
 * decoder, admission, the queue) with a {@link Kind} that says whose fault it is; each front end maps
 * the kind to its protocol's status in one switch (HTTP status, gRPC code) and never looks further.
 * The message is for the client: it names what was wrong and how to fix it, never internals.
 */
public class ServingException extends RuntimeException {

    /** What went wrong, independent of the protocol that reports it. */
    public enum Kind {
        /** The request is malformed or does not fit the model (HTTP 400, gRPC INVALID_ARGUMENT). */
        BAD_INPUT,
        /** No such model, version or route (404, NOT_FOUND). */
        NOT_FOUND,
        /** The route exists but not for this method (405, UNIMPLEMENTED). */
        METHOD_NOT_ALLOWED,
        /** The body's media type or encoding is not one this route takes (415, INVALID_ARGUMENT). */
        UNSUPPORTED_MEDIA_TYPE,
        /** The request, a header or a decoded image is over a configured limit (413, RESOURCE_EXHAUSTED). */
        TOO_LARGE,
        /** The queue is full: retry later (503 with Retry-After, UNAVAILABLE). */
        BUSY,
        /** Loading or draining: not taking requests now (503 with Retry-After, UNAVAILABLE). */
        UNAVAILABLE,
        /** The client took too long to send its request (408; the connection is closed). */
        CLIENT_TIMEOUT,
        /** The request's deadline passed before it was served (504, DEADLINE_EXCEEDED). */
        TIMED_OUT,
        /** No bearer token, or one the server does not know (401 with WWW-Authenticate, UNAUTHENTICATED). */
        UNAUTHENTICATED,
        /** A known token that does not open this endpoint group (403, PERMISSION_DENIED). */
        FORBIDDEN,
        /** A fault of the server or the engine (500, INTERNAL); the body carries an id, never internals. */
        INTERNAL
    }

    private final Kind kind;

    public ServingException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ServingException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ServingException badInput(String message) {
        return new ServingException(Kind.BAD_INPUT, message);
    }

    public static ServingException tooLarge(String message) {
        return new ServingException(Kind.TOO_LARGE, message);
    }

    public static ServingException notFound(String message) {
        return new ServingException(Kind.NOT_FOUND, message);
    }

    public static ServingException unavailable(String message) {
        return new ServingException(Kind.UNAVAILABLE, message);
    }

    public static ServingException busy(String message) {
        return new ServingException(Kind.BUSY, message);
    }
}
