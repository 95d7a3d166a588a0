package com.modelfactory.runtime.engine;

/** The engine failed while running a batch (HTTP 500; the server keeps serving). */
public class InferenceException extends RuntimeException {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
