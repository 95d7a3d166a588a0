package com.modelfactory.runtime.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * TF1 checkpoints in a folder: every prefix that has an {@code .index} file, and the newest global
 * step among them (the legacy {@code find_latest}). The {@code checkpoint} state file is not trusted,
 * since vendors' files hold absolute paths from the machine that trained the model.
 */
public final class CheckpointSteps {
    private static final Pattern STEP = Pattern.compile("-(\\d+)$");

    private CheckpointSteps() {
    }

    /** A checkpoint prefix (path without .index/.meta/.data-*) and its global step, -1 if unnumbered. */
    public record Checkpoint(Path prefix, long step) {
        public Path meta() {
            return prefix.resolveSibling(prefix.getFileName() + ".meta");
        }

        public boolean hasMeta() {
            return Files.isRegularFile(meta());
        }
    }

    public static List<Checkpoint> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".index"))
                    .map(n -> n.substring(0, n.length() - ".index".length()))
                    .map(prefix -> new Checkpoint(dir.resolve(prefix), stepOf(prefix)))
                    .sorted(Comparator.comparingLong(Checkpoint::step).thenComparing(c -> c.prefix().toString()))
                    .toList();
        }
    }

    /** The checkpoint with the highest global step in {@code dir}, if any. */
    public static Optional<Checkpoint> latest(Path dir) throws IOException {
        List<Checkpoint> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static long stepOf(String prefix) {
        Matcher m = STEP.matcher(prefix);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
