package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MODEL_DIR's temporary folders: a start sweeps every stale one (any model's, not only its own), and the
 * one being filled is removed by the shutdown hook when the process stops during the download.
 */
class ModelCacheTest {
    @TempDir
    Path modelDir;

    private static final ModelCache.Check ANY = content -> { };

    @Test
    void aStartSweepsStaleTemporaryFoldersOfEveryModel() throws Exception {
        Path tmp = Files.createDirectories(modelDir.resolve(ModelCache.TMP));
        Path other = Files.createDirectories(tmp.resolve("other__7-" + UUID.randomUUID()));
        Files.write(other.resolve("download"), new byte[4096]);
        Path same = Files.createDirectories(tmp.resolve("m__1-" + UUID.randomUUID()).resolve("content"));
        ModelCache cache = new ModelCache(modelDir);
        cache.obtain("m/1", null, (content, work) -> {
            Files.writeString(content.resolve("model.onnx"), "x");
            return new Properties();
        }, ANY);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "another model's partial download and this one's are gone");
        }
        assertFalse(Files.exists(same));
    }

    @Test
    void theFolderBeingFilledIsRemovedOnTheWayOut() throws Exception {
        ModelCache cache = new ModelCache(modelDir);
        AtomicReference<Path> seen = new AtomicReference<>();
        assertThrows(ModelAcquisitionException.class, () -> cache.obtain("m/2", null, (content, work) -> {
            Files.write(work.resolve("download"), new byte[1024]);
            seen.set(work);
            ModelCache.deleteInProgress(); // what the shutdown hook runs when SIGTERM ends the JVM mid-download
            assertFalse(Files.exists(work), "the hook removed the unfinished folder");
            throw new IOException("the stream the hook's deletion cut short");
        }, ANY));
        assertTrue(seen.get() != null);
        try (Stream<Path> left = Files.list(modelDir.resolve(ModelCache.TMP))) {
            assertEquals(List.of(), left.toList());
        }
    }
}
