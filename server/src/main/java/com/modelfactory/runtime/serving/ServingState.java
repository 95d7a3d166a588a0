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
    /** Repository mode: the models of a repository; null for one model (the per-model deployment). */
    private volatile ModelRegistry registry;
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

    /** Serves the models of {@code r}; ready from now on as {@code r} says. */
    public void serveRepository(ModelRegistry r) {
        registry = r;
        if (phase != Phase.DRAINING) {
            phase = Phase.READY;
        }
    }

    /** The repository's models; null when one model is served. */
    public ModelRegistry registry() {
        return registry;
    }

    /** The core serving {@code name} at {@code version} (null/empty: newest), or NOT_FOUND / UNAVAILABLE. */
    public InferenceService service(String name, String version) {
        ModelRegistry r = registry;
        if (r == null) {
            InferenceService s = service();
            s.info().requireNamed(name, version);
            return s;
        }
        if (phase == Phase.DRAINING) {
            throw ServingException.unavailable("the server is shutting down and accepts no new requests");
        }
        return r.service(name, version);
    }

    /** The facts of {@code name} at {@code version}, also while draining; UNAVAILABLE before it is loaded. */
    public ModelInfo info(String name, String version) {
        ModelRegistry r = registry;
        if (r != null) {
            return r.info(name, version);
        }
        ModelInfo m = info();
        if (m == null) {
            throw ServingException.unavailable("the model is still loading; retry when /health/ready answers 200");
        }
        m.requireNamed(name, version);
        return m;
    }

    /** Whether {@code name} at {@code version} takes requests now; NOT_FOUND for an unknown one (one model). */
    public boolean ready(String name, String version) {
        ModelRegistry r = registry;
        if (r != null) {
            return phase == Phase.READY && r.ready(name, version);
        }
        ModelInfo m = info();
        if (m != null) {
            m.requireNamed(name, version);
        }
        return m != null && ready();
    }

    /** The repository index: every model with its state. */
    public java.util.List<RepositoryEntry> index() {
        ModelRegistry r = registry;
        if (r != null) {
            return r.index();
        }
        RepositoryEntry e = repositoryEntry();
        return e == null ? java.util.List.of() : java.util.List.of(e);
    }

    /** Every ready model's core (one at most outside repository mode). */
    public java.util.List<InferenceService> services() {
        ModelRegistry r = registry;
        if (r != null) {
            return r.services();
        }
        InferenceService s = service;
        return s != null && ready() ? java.util.List.of(s) : java.util.List.of();
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

    /** Loaded, not draining, and a batch worker is running (repository: every required model ready). */
    public boolean ready() {
        ModelRegistry r = registry;
        if (r != null) {
            return phase == Phase.READY && r.ready();
        }
        InferenceService s = service;
        return phase == Phase.READY && s != null && s.serving();
    }

    public boolean draining() {
        return phase == Phase.DRAINING;
    }

    /**
     * The service, if it takes requests now; else UNAVAILABLE saying why. A repository answers for a route
     * that names no model (/predict, /model) only while it serves exactly one.
     */
    public InferenceService service() {
        ModelRegistry r = registry;
        if (r != null) {
            if (phase == Phase.DRAINING) {
                throw ServingException.unavailable("the server is shutting down and accepts no new requests");
            }
            return soleModel(r);
        }
        InferenceService s = service;
        return switch (phase) {
            case READY -> s;
            case DRAINING -> throw ServingException.unavailable("the server is shutting down and accepts no new requests");
            default -> throw ServingException.unavailable("the model is still "
                    + (phase == Phase.ACQUIRING ? "being obtained" : "loading")
                    + "; retry when /health/ready answers 200");
        };
    }

    private static InferenceService soleModel(ModelRegistry r) {
        java.util.List<InferenceService> all = r.services();
        if (all.isEmpty()) {
            throw ServingException.unavailable("no model of the repository is loaded; see POST /v2/repository/index");
        }
        if (all.size() != 1) {
            throw ServingException.badInput("this server serves " + all.size() + " models ("
                    + all.stream().map(s -> s.info().name()).distinct().toList()
                    + "); name one: POST /v2/models/{name}/infer");
        }
        return all.get(0);
    }

    /** The loaded model's facts, also while draining (metadata stays readable); null before load. */
    public ModelInfo info() {
        ModelRegistry r = registry;
        if (r != null) {
            java.util.List<InferenceService> all = r.services();
            return all.size() == 1 ? all.get(0).info() : null;
        }
        InferenceService s = service;
        return s == null ? null : s.info();
    }

    /** The service once loaded, in any phase (drain, metrics); null before. */
    public InferenceService loaded() {
        ModelRegistry r = registry;
        if (r != null) {
            java.util.List<InferenceService> all = r.services();
            return all.size() == 1 ? all.get(0) : null;
        }
        return service;
    }
}
