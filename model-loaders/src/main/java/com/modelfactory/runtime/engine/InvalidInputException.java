package com.modelfactory.runtime.engine;

/** The request's tensors do not fit the model's signature: the client's fault (HTTP 400). */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
