package com.modelfactory.runtime.image;

import com.modelfactory.runtime.error.ServingException;

/** The request body is not an image this runtime can decode (HTTP 400). */
public class ImageDecodeException extends ServingException {
    public ImageDecodeException(String message) {
        super(Kind.BAD_INPUT, message);
    }
}
