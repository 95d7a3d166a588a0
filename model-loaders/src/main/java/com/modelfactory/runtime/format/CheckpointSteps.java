package com.modelfactory.runtime.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * TF1 checkpoints in a folder and the newest global step among them (the legacy {@code find_latest}).
 *
 * <p>A checkpoint is a prefix with an {@code .index} file (V2 format), or a {@code .meta} graph with a V1
 * data file beside it (the prefix itself or {@code prefix-00000-of-00001}, as in TF Serving's old
 * exports). The {@code checkpoint} state file is only a tie-breaker for unnumbered prefixes, and only by
 * base name: vendors' files hold absolute paths from the machine that trained the model.
 */
public final class CheckpointSteps {
    private static final Pattern STEP = Pattern.compile("-(\\d+)$");
    private static final Pattern V1_SHARD = Pattern.compile("-\\d{5}-of-\\d{5}$");
    private static final Pattern STATE_LINE = Pattern.compile("^\\s*model_checkpoint_path\\s*:\\s*\"(.*)\"\\s*$");
    /** The state file TF's Saver writes beside the checkpoints. */
    public static final String STATE_FILE = "checkpoint";

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

    /** Every checkpoint in {@code dir}, oldest step first. */
    public static List<Checkpoint> list(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
        }
        Set<String> prefixes = new HashSet<>();
        for (String n : names) {
            if (n.endsWith(".index")) {
                prefixes.add(strip(n, ".index"));
            } else if (n.endsWith(".meta") && hasV1Data(strip(n, ".meta"), names)) {
                prefixes.add(strip(n, ".meta"));
            }
        }
        return prefixes.stream()
                .map(prefix -> new Checkpoint(dir.resolve(prefix), stepOf(prefix)))
                .sorted(Comparator.comparingLong(Checkpoint::step).thenComparing(c -> c.prefix().toString()))
                .toList();
    }

    /** The checkpoint with the highest global step in {@code dir}, if any. */
    public static Optional<Checkpoint> latest(Path dir) throws IOException {
        List<Checkpoint> all = list(dir);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Checkpoint newest = all.get(all.size() - 1);
        if (newest.step() >= 0) {
            return Optional.of(newest);
        }
        // Only unnumbered prefixes: the state file names the one the Saver wrote last.
        Optional<String> named = stateFilePrefix(dir);
        if (named.isPresent()) {
            for (Checkpoint c : all) {
                if (c.prefix().getFileName().toString().equals(named.get())) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.of(newest);
    }

    /**
     * The base name of {@code model_checkpoint_path} in the folder's {@code checkpoint} state file, if there
     * is one. Absolute paths of another machine ("/home/x/run/model.ckpt-300") are reduced to the base name.
     */
    public static Optional<String> stateFilePrefix(Path dir) throws IOException {
        Path state = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(state) || Files.size(state) > 1 << 20) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(state, StandardCharsets.UTF_8)) {
            Matcher m = STATE_LINE.matcher(line);
            if (m.matches()) {
                String path = m.group(1);
                int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
                String base = path.substring(slash + 1);
                return base.isEmpty() ? Optional.empty() : Optional.of(base);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code fileName} is one of a checkpoint's files (its data, index, graph or the state file). */
    static boolean isCheckpointFile(String fileName, List<Checkpoint> checkpoints) {
        if (fileName.equals(STATE_FILE)) {
            return true;
        }
        for (Checkpoint c : checkpoints) {
            String p = c.prefix().getFileName().toString();
            if (fileName.equals(p) || fileName.equals(p + ".index") || fileName.equals(p + ".meta")
                    || (fileName.startsWith(p + ".data-")) || (fileName.startsWith(p + "-")
                    && V1_SHARD.matcher(fileName.substring(p.length())).matches())) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasV1Data(String prefix, Set<String> names) {
        if (names.contains(prefix)) {
            return true;
        }
        for (String n : names) {
            if (n.startsWith(prefix + "-") && V1_SHARD.matcher(n.substring(prefix.length())).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String strip(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    static long stepOf(String prefix) {
        Matcher m = STEP.matcher(prefix);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
