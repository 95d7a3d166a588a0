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
    /** Batch mode: the input list could not be read or the output file not written. */
    public static final int BATCH_IO = 5;
    /** The drain after SIGTERM broke (the log says how); the process stopped anyway. */
    public static final int DRAIN_FAILED = 6;
    /** Batch mode: {@code IMAGES_FAILED + n} = n images (1..100; 110 = 100 or more) could not be run. */
    public static final int IMAGES_FAILED = 10;
    /** Most failed images the exit code counts: exit codes stay far below 126 (the shells' own codes). */
    public static final int IMAGES_FAILED_MAX = 100;

    /** The exit code of a batch run in which {@code failed} images could not be run (0 = all done). */
    public static int imagesFailed(long failed) {
        return failed <= 0 ? OK : IMAGES_FAILED + (int) Math.min(failed, IMAGES_FAILED_MAX);
    }

    private ExitCodes() {
    }
}
