package com.modelfactory.runtime.http;

/**
 * A rendered response body and what its headers must say about it.
 *
 * @param jsonLength the JSON head's length when binary tensor sections follow it (the
 *                   Inference-Header-Content-Length header), else -1
 */
record HttpBody(byte[] body, String contentType, int jsonLength) {
    static final String JSON = "application/json";
    static final String BINARY = "application/octet-stream";

    static HttpBody json(byte[] body) {
        return new HttpBody(body, JSON, -1);
    }
}
