package com.modelfactory.runtime.image;

/** The model's input cannot be fed from an image; the message says which config key would fix it. */
public class NotAnImageModelException extends Exception {
    public NotAnImageModelException(String message) {
        super(message);
    }
}
