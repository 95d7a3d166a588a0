package com.modelfactory.runtime.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A model repository on disk, laid out as Triton's: one folder per model, named as the model is served,
 * holding numbered version folders (each a model file or folder in any format the runtime loads) and an
 * optional {@code model-config.yaml} with the model's own settings. A model folder without numbered
 * folders is version 1 itself (a model dropped in as it was delivered).
 */
final class RepositoryFolder {
    static final List<String> CONFIG_NAMES = List.of("model-config.yaml", "model-config.yml");

    /** One model's folder: its versions, and where each version's files are. */
    record ModelFolder(String name, Path dir, Path modelConfig, Map<Long, Path> versions) {
    }

    private final List<Path> roots;

    RepositoryFolder(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The folders, for messages. */
    String root() {
        return roots.size() == 1 ? roots.get(0).toString() : roots.toString();
    }

    /**
     * Every model folder, by name (hidden folders and plain files at the top are not models). A name in
     * two repository folders is the first folder's, as MODEL_REPOSITORY lists them.
     */
    Map<String, ModelFolder> scan() {
        Map<String, ModelFolder> models = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> entries = Files.list(root)) {
                for (Path dir : entries.sorted().toList()) {
                    String name = dir.getFileName().toString();
                    if (Files.isDirectory(dir) && !name.startsWith(".") && !models.containsKey(name)) {
                        models.put(name, model(name, dir));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model repository " + root, e);
            }
        }
        return models;
    }

    private static ModelFolder model(String name, Path dir) throws IOException {
        Map<Long, Path> versions = new TreeMap<>();
        List<Path> other = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String file = p.getFileName().toString();
                if (Files.isDirectory(p) && file.matches("[0-9]{1,18}")) {
                    versions.put(Long.parseLong(file), p);
                } else if (!CONFIG_NAMES.contains(file) && !file.startsWith(".")) {
                    other.add(p);
                }
            }
        }
        if (versions.isEmpty() && !other.isEmpty()) {
            versions.put(1L, dir);
        }
        Path config = CONFIG_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst().orElse(null);
        return new ModelFolder(name, dir, config, versions);
    }
}
