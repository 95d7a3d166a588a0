package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelLoadException;

/** Getting the model failed (download, checksum, unpacking, cache): start-up stops with this message. */
public class ModelAcquisitionException extends ModelLoadException {
    public ModelAcquisitionException(String message) {
        super(message);
    }

    public ModelAcquisitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
