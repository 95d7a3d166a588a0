package com.modelfactory.runtime.lifecycle;

/**
 * The process's exit codes, one meaning each (listed in README). 3 is left to the JVM: with
 * -XX:+ExitOnOutOfMemoryError (the launcher's default) an OutOfMemoryError exits with 3.
 */
public final class ExitCodes {
    /** Drained and stopped, or a batch run with every image done. */
    public static final int OK = 0;
    /** The model could not be obtained or loaded (the message names the cause). */
    public static final int MODEL = 1;
    /** Invalid configuration (the message names the setting). */
    public static final int CONFIG = 2;
    /** The JVM ran out of memory (-XX:+ExitOnOutOfMemoryError). */
    public static final int OUT_OF_MEMORY = 3;
    /** The HTTP or gRPC port could not be opened. */
    public static final int PORT = 4;

    private ExitCodes() {
    }
}
