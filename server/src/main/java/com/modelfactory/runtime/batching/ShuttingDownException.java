package com.modelfactory.runtime.batching;

/** The server is draining for shutdown and takes no new requests (HTTP 503). */
public class ShuttingDownException extends RuntimeException {
    public ShuttingDownException() {
        super("the server is shutting down and accepts no new requests");
    }
}
