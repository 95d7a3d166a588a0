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

    /**
     * One model in the repository index, as Triton reports it: state READY, LOADING (obtaining or loading)
     * or UNLOADING (shutting down), with the reason when not ready; version null until loaded.
     */
    public record RepositoryEntry(String name, String version, String state, String reason) {
        public boolean ready() {
            return state.equals("READY");
        }
    }

    private final String servedName;
    private volatile Phase phase = Phase.ACQUIRING;
    private volatile InferenceService service;
    private volatile Progress progress = Progress.NONE;

    /** @param servedName the name the model will be served under, known before it is loaded (may be null) */
    public ServingState(String servedName) {
        this.servedName = servedName;
    }

    public ServingState() {
        this(null);
    }

    /** The served model's repository entry in every phase; null when its name is not known yet. */
    public RepositoryEntry repositoryEntry() {
        ModelInfo m = info();
        String name = m != null ? m.name() : servedName;
        if (name == null) {
            return null;
        }
        String version = m == null ? null : m.version();
        return switch (phase) {
            case READY -> new RepositoryEntry(name, version, "READY", null);
            case DRAINING -> new RepositoryEntry(name, version, "UNLOADING", "shutting down");
            default -> new RepositoryEntry(name, version, "LOADING", "loading");
        };
    }

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

    /** Loaded, not draining, and a batch worker is running. */
    public boolean ready() {
        InferenceService s = service;
        return phase == Phase.READY && s != null && s.serving();
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
