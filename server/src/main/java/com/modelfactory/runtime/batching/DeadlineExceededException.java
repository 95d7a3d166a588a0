package com.modelfactory.runtime.batching;

/** The request waited past its deadline and was dropped before it reached the engine (HTTP 504). */
public class DeadlineExceededException extends RuntimeException {
    public DeadlineExceededException(long timeoutMs) {
        super("the request was not served within " + timeoutMs + " ms (request_timeout_ms)");
    }
}
