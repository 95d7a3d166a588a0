package com.modelfactory.runtime.engine;

/** The model cannot be loaded: start-up stops with this message. */
public class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
