package com.modelfactory.runtime.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** One folder's direct content, sorted: the model-level layouts it holds and what each file is. */
final class FolderContents {
    /** Files and folders that archivers and file systems add beside a model. */
    private static final Set<String> NOISE = Set.of("__macosx", "thumbs.db", "desktop.ini", "lost+found");

    final Path dir;
    final Path savedModelFile;
    final List<CheckpointSteps.Checkpoint> checkpoints;
    final List<Sniff> files;
    final List<Path> subdirs;

    private FolderContents(Path dir, Path savedModelFile, List<CheckpointSteps.Checkpoint> checkpoints,
                           List<Sniff> files, List<Path> subdirs) {
        this.dir = dir;
        this.savedModelFile = savedModelFile;
        this.checkpoints = checkpoints;
        this.files = files;
        this.subdirs = subdirs;
    }

    static boolean isNoise(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(".") || NOISE.contains(name.toLowerCase(Locale.ROOT));
    }

    static FolderContents scan(Path dir) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> !isNoise(p)).sorted(Comparator.comparing(Path::toString)).toList();
        }
        Path savedModel = null;
        for (String n : List.of("saved_model.pb", "saved_model.pbtxt")) {
            if (Files.isRegularFile(dir.resolve(n))) {
                savedModel = dir.resolve(n);
                break;
            }
        }
        List<CheckpointSteps.Checkpoint> checkpoints = CheckpointSteps.list(dir);
        List<Sniff> files = new ArrayList<>();
        List<Path> subdirs = new ArrayList<>();
        for (Path p : entries) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                subdirs.add(p);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                if (CheckpointSteps.isCheckpointFile(p.getFileName().toString(), checkpoints)) {
                    continue;
                }
                files.add(FileSniffer.sniff(p));
            }
        }
        return new FolderContents(dir, savedModel, checkpoints, files, subdirs);
    }

    boolean isSavedModel() {
        return savedModelFile != null;
    }

    boolean hasCheckpoint() {
        return !checkpoints.isEmpty();
    }

    /** Whether this folder itself holds a model (or a known unsupported model file). */
    boolean holdsModel() {
        return isSavedModel() || hasCheckpoint() || files.stream().anyMatch(Sniff::isModel);
    }

    /** Whether this folder itself holds a model an engine here can run. */
    boolean holdsServableModel() {
        return isSavedModel() || hasCheckpoint() || files.stream().anyMatch(Sniff::servable);
    }

    /** "name (what it is, size)" for every file, for error messages. */
    List<String> describeFiles() throws IOException {
        List<String> out = new ArrayList<>();
        for (Sniff s : files) {
            out.add(s.file().getFileName() + " (" + s.reason() + ", " + Files.size(s.file()) + " bytes)");
        }
        for (Path d : subdirs) {
            out.add(d.getFileName() + "/");
        }
        return out;
    }
}
