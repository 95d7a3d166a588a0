package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the model inside what was unpacked or configured, then detects its format.
 *
 * <p>Descends through wrapper folders (the legacy {@code model/model/} nesting, a single top folder, a
 * folder whose only model-holding child is one subfolder) ignoring {@code __MACOSX} and dotfiles, and
 * through numbered version folders (TF Serving's {@code 00000123/}): the highest, unless
 * {@code versionDir} names one. It stops at the first folder that itself holds a model.
 */
public final class ModelLocator {
    private static final Pattern VERSION = Pattern.compile("\\d+");
    private static final int MAX_DEPTH = 16;

    /**
     * @param formatOverride {@code MODEL_FORMAT}, null to detect
     * @param versionDir     {@code MODEL_VERSION_DIR}: the numbered version folder to serve, null for the highest
     * @param modelFileName  {@code MODEL_FILE}: the file (or relative path) to serve when there are several
     */
    public record Options(ModelFormat formatOverride, String versionDir, String modelFileName) {
        public static final Options DEFAULT = new Options(null, null, null);
    }

    private final FormatDetector detector = new FormatDetector();

    public Detection locate(Path root) throws ModelLoadException {
        return locate(root, Options.DEFAULT);
    }

    public Detection locate(Path root, Options options) throws ModelLoadException {
        try {
            return doLocate(root, options);
        } catch (IOException e) {
            throw new UnrecognizedModelException("cannot read " + root + ": " + e);
        } catch (UncheckedIOException e) {
            throw new UnrecognizedModelException("cannot read " + root + ": " + e.getCause());
        }
    }

    private Detection doLocate(Path root, Options options) throws IOException, ModelLoadException {
        if (!Files.exists(root)) {
            throw new UnrecognizedModelException("model path " + root + " does not exist");
        }
        if (!Files.isDirectory(root)) {
            return detector.detect(root, options.formatOverride());
        }
        Descent found = descend(root, options);
        if (options.versionDir() != null && !found.versionChosen()) {
            throw new UnrecognizedModelException("MODEL_VERSION_DIR=" + options.versionDir()
                    + " is set but " + root + " has no numbered version folders");
        }
        Detection d = options.modelFileName() != null
                ? detector.detect(findNamed(root, found.dir(), options.modelFileName()), options.formatOverride())
                : detector.detect(found.dir(), options.formatOverride());
        Path rel = root.relativize(d.modelPath());
        String where = rel.toString().isEmpty() ? "" : "; at " + rel.toString().replace('\\', '/');
        String how = found.steps().isEmpty() ? "" : " (" + String.join(", ", found.steps()) + ")";
        return new Detection(d.format(), d.modelPath(), d.reason() + where + how);
    }

    /** Where the descent stopped, what it said about the folders it chose, and whether a version was one. */
    private record Descent(Path dir, List<String> steps, boolean versionChosen) {
    }

    /**
     * Walks down from {@code root} through version and wrapper folders to the first folder that holds a
     * model itself (or where the way on is not clear: then detection there says what it found).
     */
    private static Descent descend(Path root, Options options) throws IOException, ModelLoadException {
        Path dir = root;
        List<String> steps = new ArrayList<>();
        boolean versionChosen = false;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            FolderContents c = FolderContents.scan(dir);
            if (c.holdsServableModel() || (options.formatOverride() != null && holdsOverrideFile(c, options.formatOverride()))) {
                break;
            }
            if (c.holdsModel() && !anyContainsServable(c.subdirs)) {
                break; // only a known-but-unsupported file here, and nothing better below: report it
            }
            List<Path> subdirs = c.subdirs;
            if (!subdirs.isEmpty() && subdirs.stream().allMatch(d -> VERSION.matcher(d.getFileName().toString()).matches())) {
                Path chosen = chooseVersion(dir, subdirs, options.versionDir());
                steps.add("version folder " + chosen.getFileName() + (options.versionDir() != null ? " by MODEL_VERSION_DIR"
                        : subdirs.size() > 1 ? ", the highest of " + subdirs.size() : ""));
                versionChosen = true;
                dir = chosen;
                continue;
            }
            Path next = subdirs.size() == 1 ? subdirs.get(0)
                    : subdirs.size() > 1 && options.modelFileName() == null ? theOneHoldingAModel(root, subdirs) : null;
            if (next == null) {
                break;
            }
            dir = next;
        }
        return new Descent(dir, steps, versionChosen);
    }

    /** The one subfolder with a model somewhere below it; null when none has; several are ambiguous. */
    private static Path theOneHoldingAModel(Path root, List<Path> subdirs) throws IOException, ModelLoadException {
        List<Path> holding = new ArrayList<>();
        for (Path d : subdirs) {
            if (containsModel(d, 0)) {
                holding.add(d);
            }
        }
        if (holding.size() > 1) {
            List<String> names = holding.stream().map(d -> root.relativize(d) + "/").toList();
            throw new AmbiguousModelException("several models under " + root + ": " + String.join(", ", names)
                    + ". Point MODEL_PATH at one of them or set MODEL_FILE to the file to serve.", names);
        }
        return holding.isEmpty() ? null : holding.get(0);
    }

    private static boolean holdsOverrideFile(FolderContents c, ModelFormat override) {
        List<String> exts = FormatDetector.extensionsOf(override);
        return c.files.stream().anyMatch(s -> exts.contains(FileSniffer.extension(s.file().getFileName().toString())));
    }

    private static Path chooseVersion(Path dir, List<Path> versions, String wanted) throws ModelLoadException {
        if (wanted != null) {
            for (Path v : versions) {
                if (v.getFileName().toString().equals(wanted)
                        || (VERSION.matcher(wanted).matches()
                        && new BigInteger(v.getFileName().toString()).equals(new BigInteger(wanted)))) {
                    return v;
                }
            }
            throw new UnrecognizedModelException("MODEL_VERSION_DIR=" + wanted + " not found in " + dir
                    + "; versions there: " + versions.stream().map(p -> p.getFileName().toString()).toList());
        }
        return versions.stream().max(Comparator.comparing(p -> new BigInteger(p.getFileName().toString()))).orElseThrow();
    }

    private static boolean anyContainsServable(List<Path> dirs) throws IOException {
        for (Path d : dirs) {
            if (containsModel(d, 0, true)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsModel(Path dir, int depth) throws IOException {
        return containsModel(dir, depth, false);
    }

    private static boolean containsModel(Path dir, int depth, boolean servableOnly) throws IOException {
        if (depth > 6) {
            return false;
        }
        FolderContents c = FolderContents.scan(dir);
        if (servableOnly ? c.holdsServableModel() : c.holdsModel()) {
            return true;
        }
        for (Path d : c.subdirs) {
            if (containsModel(d, depth + 1, servableOnly)) {
                return true;
            }
        }
        return false;
    }

    /** The one file under {@code from} whose relative path ends with {@code name}. */
    private static Path findNamed(Path root, Path from, String name) throws IOException, ModelLoadException {
        String wanted = name.replace('\\', '/');
        while (wanted.startsWith("/") || wanted.startsWith("./")) {
            wanted = wanted.substring(wanted.startsWith("/") ? 1 : 2);
        }
        List<Path> matches = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from, MAX_DEPTH)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(from)) {
                    continue;
                }
                if (isInNoise(from, p)) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (Files.isRegularFile(p)) {
                    seen.add(rel);
                }
                if (rel.equals(wanted) || rel.endsWith("/" + wanted)) {
                    matches.add(p);
                }
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new UnrecognizedModelException("MODEL_FILE=" + name + " not found under " + root + "; files there: "
                    + (seen.size() > 30 ? seen.subList(0, 30) + " and " + (seen.size() - 30) + " more" : seen));
        }
        List<String> rels = matches.stream().map(p -> root.relativize(p).toString()).toList();
        throw new AmbiguousModelException("MODEL_FILE=" + name + " matches several files under " + root + ": "
                + String.join(", ", rels) + ". Give a longer relative path.", rels);
    }

    private static boolean isInNoise(Path from, Path p) {
        for (Path part : from.relativize(p)) {
            if (FolderContents.isNoise(part)) {
                return true;
            }
        }
        return false;
    }
}
