package com.modelfactory.runtime.lifecycle;

/** Start-up failed; {@link #exitCode()} (one of {@link ExitCodes}) tells Main how to exit. */
public final class StartupException extends Exception {
    private final int exitCode;

    public StartupException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
