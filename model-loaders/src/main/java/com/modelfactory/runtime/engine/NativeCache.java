package com.modelfactory.runtime.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extracts native libraries shipped inside jars into a per-installation folder once, so a restart
 * does not unpack hundreds of megabytes into a fresh temp dir. A folder is published by an atomic
 * rename only when complete, so a crash mid-copy never leaves a half library set behind.
 */
public final class NativeCache {
    private NativeCache() {
    }

    /**
     * The per-user cache root, ~/.cache/model-runtime/natives: where natives go when the configuration
     * names no folder (MODEL_RUNTIME_NATIVE_DIR is read by the server's configuration, not here).
     */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".cache", "model-runtime", "natives");
    }

    /**
     * Ensures {@code root/key} holds the given class-path resources (by file name) and returns it.
     * Resources missing from the class path are skipped; the caller decides which are required.
     */
    public static Path extract(Path root, String key, ClassLoader loader, String resourceDir, List<String> files) {
        Path target = root.resolve(key);
        try {
            if (Files.isDirectory(target) && files.stream().allMatch(f -> present(target, f, loader, resourceDir))) {
                return target;
            }
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, key + ".tmp");
            try {
                fill(staging, target, loader, resourceDir, files);
                deleteRecursively(target);
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(staging, target);
                }
            } finally {
                deleteRecursively(staging);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract native libraries to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * The staging folder gets what an earlier start already extracted into {@code target} (e.g. the CPU
     * set before a CUDA provider) and the resources still missing.
     */
    private static void fill(Path staging, Path target, ClassLoader loader, String resourceDir, List<String> files)
            throws IOException {
        // Readable by every user: the image extracts as root at build time and runs unprivileged.
        try {
            Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> old = Files.list(target)) {
                for (Path p : old.toList()) {
                    Files.copy(p, staging.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (String f : files) {
            if (Files.exists(staging.resolve(f))) {
                continue;
            }
            try (InputStream in = loader.getResourceAsStream(resourceDir + "/" + f)) {
                if (in != null) {
                    Files.copy(in, staging.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static boolean present(Path dir, String file, ClassLoader loader, String resourceDir) {
        return Files.exists(dir.resolve(file)) || loader.getResource(resourceDir + "/" + file) == null;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
