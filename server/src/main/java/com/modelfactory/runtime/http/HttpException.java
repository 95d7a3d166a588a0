package com.modelfactory.runtime.http;

/** An error with a chosen HTTP status, raised by the HTTP layer itself (404, 405, 413, 415). */
public class HttpException extends RuntimeException {
    private final int status;

    public HttpException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
