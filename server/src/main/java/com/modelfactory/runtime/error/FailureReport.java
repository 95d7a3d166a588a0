package com.modelfactory.runtime.error;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every front end does with a failure before writing it in its protocol: counts refusals (BUSY,
 * UNAVAILABLE) and deadlines (TIMED_OUT) whichever stage answered them, and logs an internal fault with an
 * id that the client's message carries instead of any detail.
 */
public final class FailureReport {
    private static final Logger log = LoggerFactory.getLogger(FailureReport.class);

    /** Where refusals and deadlines are counted (the metrics). */
    public interface Counts {
        void rejected();

        void timedOut();
    }

    private FailureReport() {
    }

    /** The message for the client; {@code what} names the request in the log. */
    public static String clientMessage(ServingException e, String what, Counts counts) {
        switch (e.kind()) {
            case BUSY, UNAVAILABLE -> counts.rejected();
            case TIMED_OUT -> counts.timedOut();
            default -> {
                // counted nowhere: the client's fault or a fault of ours, answered either way
            }
        }
        if (e.kind() != ServingException.Kind.INTERNAL) {
            return e.getMessage();
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        log.error("{} failed (error id {}): {}", what, id, e.getCause() == null ? e.getMessage() : e.getCause().toString(),
                e.getCause());
        return e.getMessage() + " (error id " + id + "; the server log has the details)";
    }
}
