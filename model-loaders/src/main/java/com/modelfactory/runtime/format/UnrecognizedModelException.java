package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelLoadException;

/** Nothing under the model path is a model this runtime recognises; the message lists what was found. */
public class UnrecognizedModelException extends ModelLoadException {
    public UnrecognizedModelException(String message) {
        super(message);
    }
}
