package com.modelfactory.runtime.repository;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ServingState.RepositoryEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One model of a repository: its versions, each loading, ready (a serving core of its own), being
 * unloaded, or unavailable with the reason. Found by name and version for every request, so its maps are
 * concurrent; changed only by the repository's operations on this model, which run one at a time.
 */
final class RepositoryModel {
    enum State { LOADING, READY, UNLOADING, UNAVAILABLE }

    /** A version's state; {@code service} is set while READY or UNLOADING. */
    record Version(long number, State state, String reason, InferenceService service) {
    }

    final String name;
    final RuntimeMetrics metrics;
    private final Map<Long, Version> versions = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
    /** Why the model has no version at all (never loaded, unloaded, its folder gone); null once it has one. */
    private volatile String absence = "not loaded";
    volatile boolean required;
    /** When a request last asked for this model (System.nanoTime), for least-recently-used eviction. */
    volatile long lastUsed = System.nanoTime();

    RepositoryModel(String name, RuntimeMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
    }

    void put(Version v) {
        versions.put(v.number(), v);
        absence = null;
    }

    void remove(long number, String why) {
        versions.remove(number);
        if (versions.isEmpty()) {
            absence = why;
        }
    }

    /** The model has no version left: {@code why}. */
    void absent(String why) {
        versions.clear();
        absence = why;
    }

    List<Version> versions() {
        return new ArrayList<>(versions.values());
    }

    Version version(long number) {
        return versions.get(number);
    }

    /** The core for {@code version} (null or empty: the newest ready), else NOT_FOUND / UNAVAILABLE saying why. */
    InferenceService service(String version) {
        if (version == null || version.isEmpty()) {
            Version busy = null;
            for (Version v : versions.values()) {
                if (v.state() == State.READY) {
                    return v.service();
                }
                if (busy == null && v.state() != State.UNAVAILABLE) {
                    busy = v;
                }
            }
            if (busy != null) {
                throw unavailable(busy);
            }
            throw ServingException.notFound("model '" + name + "' is not loaded" + (absence != null ? " (" + absence + ")"
                    : versions.isEmpty() ? "" : ": " + versions.values().iterator().next().reason()));
        }
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ServingException.notFound("model '" + name + "' has no version '" + version + "'");
        }
        Version v = versions.get(number);
        if (v == null) {
            throw ServingException.notFound("model '" + name + "' has no version '" + version + "' loaded; it serves "
                    + versions.values().stream().filter(x -> x.state() == State.READY).map(Version::number).toList());
        }
        return switch (v.state()) {
            case READY -> v.service();
            case UNAVAILABLE -> throw ServingException.notFound("model '" + name + "' version " + number
                    + " is not loaded: " + v.reason());
            default -> throw unavailable(v);
        };
    }

    private ServingException unavailable(Version v) {
        return ServingException.unavailable("model '" + name + "' version " + v.number() + " is "
                + (v.state() == State.LOADING ? "loading" : "being unloaded") + "; retry shortly");
    }

    boolean ready(String version) {
        try {
            service(version);
            return true;
        } catch (ServingException e) {
            return false;
        }
    }

    List<RepositoryEntry> entries() {
        List<RepositoryEntry> out = new ArrayList<>();
        for (Version v : versions.values()) {
            out.add(new RepositoryEntry(name, Long.toString(v.number()), v.state().name(), v.reason()));
        }
        if (out.isEmpty()) {
            out.add(new RepositoryEntry(name, null, State.UNAVAILABLE.name(), absence));
        }
        return out;
    }
}
