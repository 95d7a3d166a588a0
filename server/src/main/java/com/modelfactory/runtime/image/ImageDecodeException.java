package com.modelfactory.runtime.image;

/** The request body is not an image this runtime can decode (HTTP 400). */
public class ImageDecodeException extends RuntimeException {
    public ImageDecodeException(String message) {
        super(message);
    }
}
