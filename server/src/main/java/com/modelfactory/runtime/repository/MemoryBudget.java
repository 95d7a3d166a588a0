package com.modelfactory.runtime.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What the repository's loaded model versions take of the host's memory, against MODEL_MEMORY_BUDGET.
 * A version is charged what its model-config.yaml declares ({@code model_memory}), else what the process's
 * RSS grew by while it loaded (loads run one at a time while a budget applies, so the growth is its own),
 * and never less than its files. Before a load the charge is predicted the same way: declared, else the
 * model's last measured charge, else its files' size (a lower bound: the first load of an engine also
 * brings the engine's runtime).
 */
final class MemoryBudget {
    private final long budget;
    private final boolean evict;
    private final Map<String, Long> charged = new ConcurrentHashMap<>();
    private final Map<String, Long> measuredByModel = new ConcurrentHashMap<>();
    final LongAdder evictions = new LongAdder();

    MemoryBudget(long budget, boolean evict) {
        this.budget = budget;
        this.evict = evict;
    }

    boolean enabled() {
        return budget > 0;
    }

    boolean evicts() {
        return evict;
    }

    long budget() {
        return budget;
    }

    long used() {
        return charged.values().stream().mapToLong(Long::longValue).sum();
    }

    /** What loading {@code name} from {@code files} is expected to take. */
    long predict(String name, long declared, Path files) {
        if (declared > 0) {
            return declared;
        }
        return Math.max(measuredByModel.getOrDefault(name, 0L), size(files));
    }

    /** Charges a loaded version: declared, else the measured growth, at least its files. */
    long charge(String name, long version, long declared, long rssGrowth, Path files) {
        long bytes = declared > 0 ? declared : Math.max(rssGrowth, size(files));
        charged.put(key(name, version), bytes);
        if (declared <= 0) {
            measuredByModel.put(name, bytes);
        }
        return bytes;
    }

    /** Whether a version of {@code name} is charged here. */
    boolean holds(String name) {
        return charged.keySet().stream().anyMatch(k -> k.startsWith(name + "/"));
    }

    void release(String name, long version) {
        charged.remove(key(name, version));
    }

    private static String key(String name, long version) {
        return name + "/" + version;
    }

    static long size(Path files) {
        if (files == null) {
            return 0; // a model from the store: known once it is fetched
        }
        if (!Files.isDirectory(files)) {
            try {
                return Files.size(files);
            } catch (IOException e) {
                return 0;
            }
        }
        try (Stream<Path> walk = Files.walk(files)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This process's resident set, from /proc (0 where there is none). */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
