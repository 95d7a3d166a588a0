package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.error.ServingException;

/**
 * The life cycle as front ends and probes see it. Live from the moment the port opens; the model is
 * then obtained (a download can take minutes), loaded and warmed up; only then is the service ready.
 * Shutdown makes it not ready at once. Front ends get the service through {@link #service()}, which
 * answers UNAVAILABLE in every other phase.
 */
public final class ServingState {

    public enum Phase {
        /** Obtaining the model: download, unpack, locate. */
        ACQUIRING,
        /** Loading into the engine and warming up. */
        LOADING,
        READY,
        DRAINING
    }

    /** What a long start-up has done so far, for /model and the logs (bytes of a download). */
    public record Progress(long bytes, long totalBytes, int retries) {
        public static final Progress NONE = new Progress(0, -1, 0);
    }

    private volatile Phase phase = Phase.ACQUIRING;
    private volatile InferenceService service;
    private volatile Progress progress = Progress.NONE;

    public Phase phase() {
        return phase;
    }

    public Progress progress() {
        return progress;
    }

    public void progress(Progress p) {
        progress = p;
    }

    public void loading() {
        if (phase == Phase.ACQUIRING) {
            phase = Phase.LOADING;
        }
    }

    public void ready(InferenceService s) {
        service = s;
        if (phase != Phase.DRAINING) {
            phase = Phase.READY;
        }
    }

    public void beginDrain() {
        phase = Phase.DRAINING;
    }

    public boolean ready() {
        return phase == Phase.READY;
    }

    public boolean draining() {
        return phase == Phase.DRAINING;
    }

    /** The service, if it takes requests now; else UNAVAILABLE saying why. */
    public InferenceService service() {
        InferenceService s = service;
        return switch (phase) {
            case READY -> s;
            case DRAINING -> throw ServingException.unavailable("the server is shutting down and accepts no new requests");
            default -> throw ServingException.unavailable("the model is still "
                    + (phase == Phase.ACQUIRING ? "being obtained" : "loading")
                    + "; retry when /health/ready answers 200");
        };
    }

    /** The loaded model's facts, also while draining (metadata stays readable); null before load. */
    public ModelInfo info() {
        InferenceService s = service;
        return s == null ? null : s.info();
    }

    /** The service once loaded, in any phase (drain, metrics); null before. */
    public InferenceService loaded() {
        return service;
    }
}
