package com.modelfactory.runtime.fetch;

/** The downloaded bytes do not have the configured MODEL_SHA256. */
public class ChecksumMismatchException extends ModelAcquisitionException {
    public ChecksumMismatchException(String message) {
        super(message);
    }
}
