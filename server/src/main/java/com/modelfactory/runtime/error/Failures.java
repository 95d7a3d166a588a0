package com.modelfactory.runtime.error;

import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.InvalidInputException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns whatever a request's processing threw into a {@link ServingException}: the seam's own typed
 * errors keep their meaning, anything else is an internal fault whose details stay in the log. The
 * only place that looks at foreign exception types.
 */
public final class Failures {
    private Failures() {
    }

    public static ServingException classify(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof ServingException s) {
            return s;
        }
        if (t instanceof InvalidInputException) {
            return new ServingException(ServingException.Kind.BAD_INPUT, t.getMessage(), t);
        }
        if (t instanceof CancellationException) {
            return new ServingException(ServingException.Kind.UNAVAILABLE, "the request was cancelled", t);
        }
        if (t instanceof InferenceException) {
            return new ServingException(ServingException.Kind.INTERNAL, "inference failed", t);
        }
        return new ServingException(ServingException.Kind.INTERNAL, "internal error", t);
    }

    /** The cause a future or executor wrapped. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
