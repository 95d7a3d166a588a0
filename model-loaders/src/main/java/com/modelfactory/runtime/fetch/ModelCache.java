package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked models under MODEL_DIR, one folder per key ({@code <id>/<version>} for the store). A folder is
 * only ever created by an atomic rename of a complete, checked temporary folder under
 * {@code MODEL_DIR/.tmp/}, and carries a marker file saying what it holds; so a crash, a failed download or
 * a failed check never leaves a half model where a later start would take it. A file lock per key keeps
 * two processes sharing the folder from fetching the same model at once.
 */
final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    static final String MARKER = ".acquired.properties";
    static final String TMP = ".tmp";
    static final String LOCKS = ".locks";

    /** Puts the model's files into {@code content} (an empty folder); {@code work} is scratch space beside it. */
    interface Filler {
        Properties fill(Path content, Path work) throws ModelLoadException, IOException, InterruptedException;
    }

    /** Checks the filled folder before it is committed (the model is found and its format detected). */
    interface Check {
        void check(Path content) throws ModelLoadException;
    }

    record Entry(Path dir, boolean hit, Properties marker) {
    }

    /**
     * Temporary folders being filled by this process: a stop during start-up (SIGTERM while downloading)
     * ends the JVM with the loader thread still writing, so its finally never runs; the shutdown hook
     * removes them instead (an open file is unlinked on Linux: the writer goes on into nothing).
     */
    private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::deleteInProgress, "model-cache-cleanup"));
    }

    static void deleteInProgress() {
        for (Path p : IN_PROGRESS) {
            try {
                deleteTree(p);
                LOG.info("deleted the unfinished {} on the way out", p);
            } catch (IOException | RuntimeException e) {
                // the writer may still be creating files in it; its next start's sweep removes the rest
                LOG.warn("could not delete {} on the way out: {}", p, e.toString());
            }
        }
    }

    private final Path modelDir;

    ModelCache(Path modelDir) {
        this.modelDir = modelDir.toAbsolutePath().normalize();
    }

    /** The key of a store model: {@code <id>/<version>}, each made safe as a folder name. */
    static String storeKey(String modelId, String modelVersion) {
        return sanitize(modelId) + "/" + sanitize(modelVersion);
    }

    Path dirFor(String key) {
        Path p = modelDir;
        for (String part : key.split("/")) {
            p = p.resolve(sanitize(part));
        }
        return p;
    }

    /** The cached folder for {@code key}, filled first when missing or made for another checksum. */
    @SuppressWarnings("try") // the lock is held by the try block, not used in it
    Entry obtain(String key, String wantedSha256, Filler filler, Check check)
            throws ModelLoadException, InterruptedException {
        Path dir = dirFor(key);
        String flat = flatten(key);
        try {
            Files.createDirectories(modelDir.resolve(LOCKS));
            Files.createDirectories(modelDir.resolve(TMP));
        } catch (IOException e) {
            throw new ModelAcquisitionException("MODEL_DIR " + modelDir + " is not writable: " + e);
        }
        Path lockFile = modelDir.resolve(LOCKS).resolve(flat + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lock(lockChannel, lockFile)) {
            Properties existing = readMarker(dir);
            if (existing != null && (wantedSha256 == null || wantedSha256.equalsIgnoreCase(existing.getProperty("sha256")))) {
                LOG.info("model {} already in {}: no download", key, dir);
                return new Entry(dir, true, existing);
            }
            if (Files.exists(dir)) {
                LOG.warn("replacing {}: {}", dir, existing == null ? "it has no " + MARKER + " (incomplete or foreign)"
                        : "it was made for SHA-256 " + existing.getProperty("sha256") + ", MODEL_SHA256 is " + wantedSha256);
            }
            deleteStaleTemps();
            Path work = modelDir.resolve(TMP).resolve(flat + "-" + UUID.randomUUID());
            Path content = work.resolve("content");
            IN_PROGRESS.add(work);
            try {
                Files.createDirectories(content);
                Properties marker = filler.fill(content, work);
                check.check(content);
                marker.setProperty("key", key);
                marker.setProperty("completed", Instant.now().toString());
                try (OutputStream out = Files.newOutputStream(content.resolve(MARKER))) {
                    marker.store(out, "written by the model runtime when this folder was complete");
                }
                commit(content, dir, work);
                return new Entry(dir, false, marker);
            } finally {
                deleteTree(work);
                IN_PROGRESS.remove(work);
            }
        } catch (IOException e) {
            throw new ModelAcquisitionException("cannot prepare the model under " + modelDir + ": " + e, e);
        }
    }

    /** The key's lock, or null where the file system has no locks (some network mounts): then we go on alone. */
    private static FileLock lock(FileChannel channel, Path file) throws IOException {
        try {
            return channel.lock();
        } catch (IOException e) {
            LOG.warn("cannot lock {} ({}); going on without protection against a concurrent download", file, e.getMessage());
            return null;
        }
    }

    /** Moves the complete folder into place; an older folder is moved aside first and then deleted. */
    private static void commit(Path content, Path dir, Path work) throws IOException {
        Files.createDirectories(dir.getParent());
        if (Files.exists(dir)) {
            Files.move(dir, work.resolve("replaced"), StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(content, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // .tmp is inside MODEL_DIR, so this only happens when the key's parent is another mount.
            throw new IOException("cannot move the unpacked model into " + dir + " atomically: " + e.getMessage(), e);
        }
    }

    static Properties readMarker(Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(marker)) {
            p.load(in);
            return p;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Temporary folders of any model left by a process that died or was stopped: one whose key's lock no
     * live process holds (we hold our own key's), or that no key's lock file accounts for. A folder of a
     * key another process is filling is left alone (its lock is taken). Each deletion is logged.
     */
    private void deleteStaleTemps() throws IOException {
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> s = Files.list(modelDir.resolve(TMP))) {
            s.forEach(candidates::add);
        }
        for (Path p : candidates) {
            if (!IN_PROGRESS.contains(p) && stale(p.getFileName().toString())) {
                LOG.info("deleting {}, left by an interrupted start", p);
                deleteTree(p);
            }
        }
    }

    /**
     * A temporary folder is {@code <key>-<suffix>} and keys hold '-' too: the key is the longest prefix
     * before a '-' that has a lock file. Stale when that lock is free, or when no prefix has one (no live
     * process fills a folder without its key's lock).
     */
    private boolean stale(String name) {
        for (int i = name.lastIndexOf('-'); i > 0; i = name.lastIndexOf('-', i - 1)) {
            Path lockFile = modelDir.resolve(LOCKS).resolve(name.substring(0, i) + ".lock");
            if (Files.exists(lockFile)) {
                return lockFree(lockFile);
            }
        }
        return true;
    }

    /** Whether no live process holds this lock (this one may: then its folders are in IN_PROGRESS). */
    private static boolean lockFree(Path lockFile) {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return false;
            }
            l.release();
            return true;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // this process holds it: nothing of the key is in progress but IN_PROGRESS
        } catch (IOException e) {
            return false; // no locks on this file system: leave it
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A path segment that cannot climb out or hide: [A-Za-z0-9._-] only, never "." / ".." / a dotfile. */
    static String sanitize(String part) {
        String s = part.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "_" + s;
        }
        return s;
    }

    private static String flatten(String key) {
        List<String> parts = new ArrayList<>();
        for (String p : key.split("/")) {
            parts.add(sanitize(p));
        }
        return String.join("__", parts);
    }
}
