package com.modelfactory.runtime.startup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The small image classifier bundled in the jar (a handwritten-digit classifier trained on scikit-learn's digits,
 * made by server/src/main/default-model/make_default_model.py), served when no model is configured so a fresh
 * clone answers /predict, and right: its sample images get their digit. Copied out once, as engines need a file.
 */
public final class DefaultModel {
    static final String RESOURCE_DIR = "default-model";

    private DefaultModel() {
    }

    /** @param nativeCacheDir the configured native cache: the model goes into a folder beside it */
    public static Path extract(Path nativeCacheDir) {
        Path dir = nativeCacheDir.toAbsolutePath().getParent().resolve("default-model");
        try {
            Files.createDirectories(dir);
            for (String name : new String[] {"labels.txt", "model.onnx"}) {
                try (InputStream in = DefaultModel.class.getClassLoader()
                        .getResourceAsStream(RESOURCE_DIR + "/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the bundled default model is missing from the jar ("
                                + RESOURCE_DIR + "/" + name + "); rebuild with mvn package");
                    }
                    byte[] bytes = in.readAllBytes();
                    Path target = dir.resolve(name);
                    if (!Files.exists(target) || Files.size(target) != bytes.length) {
                        Path tmp = Files.createTempFile(dir, name, ".tmp");
                        Files.write(tmp, bytes);
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
            return dir.resolve("model.onnx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default model to " + dir + ": " + e.getMessage(), e);
        }
    }
}
