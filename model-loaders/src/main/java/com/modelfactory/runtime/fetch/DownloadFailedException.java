package com.modelfactory.runtime.fetch;

/**
 * The download failed for good: a 4xx answer, or retries used up. The message names the URL with its
 * secrets redacted, the HTTP status when there was one and how many attempts were made.
 */
public class DownloadFailedException extends ModelAcquisitionException {
    private final int status;
    private final int attempts;

    public DownloadFailedException(String message, int status, int attempts, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.attempts = attempts;
    }

    /** The last HTTP status, or -1 when the last attempt got no response (connection error, timeout). */
    public int status() {
        return status;
    }

    public int attempts() {
        return attempts;
    }
}
