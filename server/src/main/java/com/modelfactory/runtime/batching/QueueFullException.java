package com.modelfactory.runtime.batching;

/** The request queue is full: the client should retry later (HTTP 503 with Retry-After). */
public class QueueFullException extends RuntimeException {
    public QueueFullException(int capacity) {
        super("the server is at capacity (" + capacity + " requests queued); retry later");
    }
}
