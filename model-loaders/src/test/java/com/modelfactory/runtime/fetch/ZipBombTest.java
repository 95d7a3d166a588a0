package com.modelfactory.runtime.fetch;

import static com.modelfactory.runtime.fetch.ModelDirAssertions.assertNothingHalfWritten;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bombs are refused while they are unpacked, as soon as a limit is crossed, with the default settings
 * (the server's option table: MAX_COMPRESSION_RATIO 200, MAX_UNPACKED_BYTES 32 GiB, 100000 entries).
 */
class ZipBombTest {
    private static final long GIB_IN_MIB = 1024;

    @TempDir
    static Path shared;
    private static Path bomb;

    @TempDir
    Path tmp;

    /** 10 GiB of zeros in a zip of about 10 MB. */
    @BeforeAll
    static void makeBomb() throws IOException {
        bomb = shared.resolve("bomb.zip");
        ZipBombs.zeros(bomb, "model/model/weights.bin", 10 * GIB_IN_MIB);
    }

    private static ArchiveUnpacker defaults(Path disk) throws IOException {
        return new ArchiveUnpacker(new ArchiveUnpacker.Limits(100_000, 32L << 30, 200).fittingDisk(disk));
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            long sum = 0;
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    @Test
    void aTenGibibyteBombOfTenMegabytesIsRefusedAfterAFewMegabytesWritten() throws Exception {
        long size = Files.size(bomb);
        assertTrue(size > 5_000_000 && size < 15_000_000, "the bomb is about 10 MB: " + size);
        Path target = tmp.resolve("content");
        UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class,
                () -> defaults(tmp).unpack(bomb, target, "download"));
        assertTrue(e.getMessage().contains("MAX_COMPRESSION_RATIO=200") && e.getMessage().contains("200 times"),
                e.getMessage());
        assertTrue(e.getMessage().contains("model/model/weights.bin"), e.getMessage());
        long written = bytesUnder(target);
        System.out.println("10 GiB bomb (" + size + " bytes) refused after " + written + " bytes: " + e.getMessage());
        assertTrue(written < 2 * ArchiveUnpacker.RATIO_CHECKED_FROM,
                "refused as the limit was crossed, not after: " + written + " bytes written");
    }

    @Test
    void theBombFromTheStoreWithDefaultSettingsLeavesNothing() throws Exception {
        Path modelDir = tmp.resolve("models");
        UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class,
                () -> new ModelAcquirer().acquire(TestSettings.ofPath(bomb.toString(), modelDir)));
        assertTrue(e.getMessage().contains("MAX_COMPRESSION_RATIO"), e.getMessage());
        assertNothingHalfWritten(modelDir);
    }

    @Test
    void manySmallEntriesAreRefusedByTheRatioOfTheWholeArchive() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            entries.put("model/part" + i + ".bin", new byte[1 << 20]); // each under the per-entry threshold
        }
        Path zip = Files.write(tmp.resolve("parts.zip"), TestArchives.zip(entries));
        UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class,
                () -> defaults(tmp).unpack(zip, tmp.resolve("zip-out"), "x"));
        assertTrue(e.getMessage().startsWith("the archive (at model/part"), e.getMessage());
        assertTrue(bytesUnder(tmp.resolve("zip-out")) < 2 * ArchiveUnpacker.RATIO_CHECKED_FROM);
        Path tgz = Files.write(tmp.resolve("parts.tgz"), TestArchives.tarGz(entries));
        UnsafeArchiveException t = assertThrows(UnsafeArchiveException.class,
                () -> defaults(tmp).unpack(tgz, tmp.resolve("tgz-out"), "x"));
        assertTrue(t.getMessage().contains("MAX_COMPRESSION_RATIO=200"), t.getMessage());
    }

    @Test
    void aModelThatCompressesLikeModelsDoIsUnpacked() throws Exception {
        byte[] weights = new byte[12 << 20];
        new java.util.Random(7).nextBytes(weights); // trained weights are close to incompressible
        for (int i = 0; i < weights.length; i += 4) {
            weights[i] = 0; // some redundancy, still far from 200:1
        }
        Path zip = Files.write(tmp.resolve("model.zip"), TestArchives.zip(Map.of("model/weights.bin", weights)));
        ArchiveUnpacker.Result r = defaults(tmp).unpack(zip, tmp.resolve("ok"), "x");
        assertEquals(weights.length, r.bytes());
    }

    @Test
    void theSizeLimitIsLoweredToWhatFitsOnTheDisk() throws Exception {
        ArchiveUnpacker.Limits unlimited = new ArchiveUnpacker.Limits(10, Long.MAX_VALUE, 200).fittingDisk(tmp);
        long usable = Files.getFileStore(tmp).getUsableSpace();
        assertTrue(unlimited.maxBytes() < usable + (1L << 30) && unlimited.maxBytes() < Long.MAX_VALUE,
                unlimited.toString());
        assertTrue(unlimited.maxBytesSource().contains("MODEL_DIR") && unlimited.maxBytesSource().contains("MAX_UNPACKED_BYTES"),
                unlimited.maxBytesSource());
        ArchiveUnpacker.Limits small = new ArchiveUnpacker.Limits(10, 1 << 20, 200);
        assertEquals(small, small.fittingDisk(tmp), "a limit that fits the disk is kept");
        ArchiveUnpacker.Limits tight = new ArchiveUnpacker.Limits(10, 1, 200, "what fits on the disk of MODEL_DIR");
        UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class, () -> new ArchiveUnpacker(tight)
                .unpack(Files.write(tmp.resolve("t.zip"), TestArchives.zip(Map.of("a", new byte[] {1, 2}))),
                        tmp.resolve("t-out"), "x"));
        assertTrue(e.getMessage().contains("what fits on the disk of MODEL_DIR"), e.getMessage());
    }
}
