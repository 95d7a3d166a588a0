package com.modelfactory.runtime.serving;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Many served models, by name and version: what a model repository offers the front ends. Each model
 * version is a serving core of its own ({@link InferenceService}); the registry finds, loads and unloads
 * them. Errors are typed at the source: NOT_FOUND for a name or version it does not serve, UNAVAILABLE
 * for one still loading or being unloaded.
 */
public interface ModelRegistry {
    /** The core serving {@code name} at {@code version} (null or empty: the newest ready version). */
    InferenceService service(String name, String version);

    /** The facts of a ready model version (metadata, config), as {@link #service} finds it. */
    default ModelInfo info(String name, String version) {
        return service(name, version).info();
    }

    /** Whether {@code name} (at {@code version}, or any) is ready; false for an unknown model. */
    boolean ready(String name, String version);

    /** Whether every model marked required is ready (the server's readiness). */
    boolean ready();

    /** Every model the repository holds or held, with its state and the reason when not ready. */
    List<ServingState.RepositoryEntry> index();

    /** Every ready model version's core (statistics, metrics, a default model). */
    List<InferenceService> services();

    /** Loads (or reloads) {@code name}; completes when it is ready, or fails with the cause. */
    CompletableFuture<Void> load(String name, Map<String, Object> configOverride);

    /** Unloads {@code name}: its admitted requests complete, new ones are refused; completes once released. */
    CompletableFuture<Void> unload(String name);

    /** Stops every model, draining each for at most {@code drain}. @return true when all drained in time */
    boolean close(Duration drain);
}
