package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacking well-formed archives, and refusing hostile ones without writing anything outside the target.
 * Each hostile archive aims at {@code outside/}, a sibling of the target, which must stay empty.
 */
class ArchiveUnpackerTest {
    private static final byte[] MODEL = TinyOnnx.identity();
    private static final byte[] EVIL = "pwned".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private Path target;
    private Path outside;
    private final ArchiveUnpacker unpacker = new ArchiveUnpacker(new ArchiveUnpacker.Limits(100, 1 << 20, 200));

    @BeforeEach
    void setUp() throws IOException {
        target = tmp.resolve("work/content");
        outside = tmp.resolve("work/outside");
        Files.createDirectories(outside);
    }

    private Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    private void assertOutsideUntouched() throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(), s.toList(), "nothing may be written outside the target");
        }
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
        assertFalse(Files.exists(tmp.resolve("work/evil.txt")));
    }

    @Test
    void unpacksZipTarGzAndTarInTheLegacyLayout() throws Exception {
        Map<String, byte[]> layout = TestArchives.legacyLayout("tiny.onnx", MODEL);
        for (Map.Entry<String, byte[]> c : Map.of("zip", TestArchives.zip(layout), "tar.gz", TestArchives.tarGz(layout),
                "tar", TestArchives.tar(layout)).entrySet()) {
            Path dest = tmp.resolve("out-" + c.getKey());
            ArchiveUnpacker.Result r = unpacker.unpack(write("a." + c.getKey(), c.getValue()), dest, "download");
            assertEquals(c.getKey(), r.kind());
            assertEquals(3, r.entries());
            assertEquals(MODEL.length, r.bytes());
            assertArrayEquals(MODEL, Files.readAllBytes(dest.resolve("model/model/tiny.onnx")));
        }
    }

    @Test
    void aBareModelFileIsKeptAsItIs() throws Exception {
        ArchiveUnpacker.Result r = unpacker.unpack(write("download", MODEL), target, "tiny.onnx");
        assertEquals("file", r.kind());
        assertArrayEquals(MODEL, Files.readAllBytes(target.resolve("tiny.onnx")));
    }

    @Test
    void aTorchScriptZipIsAModelNotAnArchive() throws Exception {
        Map<String, byte[]> ts = new LinkedHashMap<>();
        ts.put("model/code/__torch__.py", "def forward(self, x): return x".getBytes(StandardCharsets.UTF_8));
        ts.put("model/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
        ts.put("model/data.pkl", new byte[] {(byte) 0x80, 2, '}', '.'});
        ts.put("model/version", "3".getBytes(StandardCharsets.UTF_8));
        byte[] pt = TestArchives.zip(ts);
        assertFalse(ArchiveUnpacker.isArchive(write("model.pt", pt)));
        ArchiveUnpacker.Result r = unpacker.unpack(tmp.resolve("model.pt"), target, "model.pt");
        assertEquals("file", r.kind());
        assertArrayEquals(pt, Files.readAllBytes(target.resolve("model.pt")));
    }

    @Test
    void macosNoiseIsNotWritten() throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>(TestArchives.legacyLayout("tiny.onnx", MODEL));
        m.put("__MACOSX/model/model/._tiny.onnx", EVIL);
        m.put("model/model/._tiny.onnx", EVIL);
        unpacker.unpack(write("a.zip", TestArchives.zip(m)), target, "x");
        assertFalse(Files.exists(target.resolve("__MACOSX")));
        assertFalse(Files.exists(target.resolve("model/model/._tiny.onnx")));
        assertTrue(Files.exists(target.resolve("model/model/tiny.onnx")));
    }

    @Test
    void zipSlipIsRefused() throws Exception {
        for (String name : List.of("../outside/evil.txt", "model/../../outside/evil.txt", "..\\outside\\evil.txt")) {
            Map<String, byte[]> m = new LinkedHashMap<>(TestArchives.legacyLayout("tiny.onnx", MODEL));
            m.put(name, EVIL);
            UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class,
                    () -> unpacker.unpack(write("slip.zip", TestArchives.zip(m)), target, "x"), name);
            assertTrue(e.getMessage().contains("escapes"), e.getMessage());
            assertOutsideUntouched();
        }
        Map<String, byte[]> tarSlip = Map.of("../outside/evil.txt", EVIL);
        assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("slip.tar.gz", TestArchives.tarGz(tarSlip)), target, "x"));
        assertOutsideUntouched();
    }

    @Test
    void absolutePathsAreRefused() throws Exception {
        String abs = outside.resolve("evil.txt").toString();
        UnsafeArchiveException zip = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("abs.zip", TestArchives.zip(Map.of(abs, EVIL))), target, "x"));
        assertTrue(zip.getMessage().contains("absolute"), zip.getMessage());
        assertThrows(UnsafeArchiveException.class, () -> unpacker.unpack(
                write("drive.zip", TestArchives.zip(Map.of("C:\\Windows\\evil.txt", EVIL))), target, "x"));
        // Commons Compress strips a leading "/" when writing unless asked not to: keep it, as an attacker would.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e = new TarArchiveEntry(abs, true);
            e.setSize(EVIL.length);
            tar.putArchiveEntry(e);
            tar.write(EVIL);
            tar.closeArchiveEntry();
        }
        UnsafeArchiveException tar = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("abs.tar", bytes.toByteArray()), target, "x"));
        assertTrue(tar.getMessage().contains("absolute"), tar.getMessage());
        assertOutsideUntouched();
    }

    @Test
    void symlinksEscapingTheTargetAreRefused() throws Exception {
        // The classic two-step: a link to a folder outside, then a file written "through" it.
        for (String linkTarget : List.of("../outside", "../../outside", outside.toString())) {
            byte[] tar = TestArchives.tarWithLink("model/dir", linkTarget, true, null, null);
            UnsafeArchiveException e = assertThrows(UnsafeArchiveException.class,
                    () -> unpacker.unpack(write("link.tar", tar), target, "x"), linkTarget);
            assertTrue(e.getMessage().contains("outside") || e.getMessage().contains("absolute"), e.getMessage());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry link = new TarArchiveEntry("dir", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("../outside");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry file = new TarArchiveEntry("dir/evil.txt");
            file.setSize(EVIL.length);
            tar.putArchiveEntry(file);
            tar.write(EVIL);
            tar.closeArchiveEntry();
        }
        assertThrows(UnsafeArchiveException.class, () -> unpacker.unpack(write("two-step.tar", bytes.toByteArray()), target, "x"));
        assertThrows(UnsafeArchiveException.class, () -> unpacker.unpack(
                write("link.zip", TestArchives.zipWithSymlink("model/evil", "../../outside/evil.txt")), target, "x"));
        assertThrows(UnsafeArchiveException.class, () -> unpacker.unpack(
                write("hard.tar", TestArchives.tarWithLink("model/hard", "../outside/evil.txt", false, null, null)), target, "x"));
        assertOutsideUntouched();
    }

    @Test
    void linksInsideTheArchiveBecomeCopiesNotLinks() throws Exception {
        byte[] tar = TestArchives.tarWithLink("model/alias.onnx", "tiny.onnx", true, "model/tiny.onnx", MODEL);
        unpacker.unpack(write("inside.tar", tar), target, "x");
        Path alias = target.resolve("model/alias.onnx");
        assertFalse(Files.isSymbolicLink(alias));
        assertTrue(Files.isRegularFile(alias, LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(MODEL, Files.readAllBytes(alias));
        byte[] hard = TestArchives.tarWithLink("model/hard.onnx", "model/tiny.onnx", false, "model/tiny.onnx", MODEL);
        Path other = tmp.resolve("hard-out");
        unpacker.unpack(write("hard.tar", hard), other, "x");
        assertArrayEquals(MODEL, Files.readAllBytes(other.resolve("model/hard.onnx")));
    }

    @Test
    void zipBombsAreRefusedByEntryCountAndBySize() throws Exception {
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 101; i++) {
            many.put("f" + i, new byte[] {1});
        }
        UnsafeArchiveException count = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("many.zip", TestArchives.zip(many)), target, "x"));
        assertTrue(count.getMessage().contains("more than 100 entries"), count.getMessage());
        UnsafeArchiveException countTar = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("many.tgz", TestArchives.tarGz(many)), tmp.resolve("t2"), "x"));
        assertTrue(countTar.getMessage().contains("entries"), countTar.getMessage());

        // 8 MiB of zeros compress to a few KiB: over the 1 MiB limit once unpacked.
        byte[] zeros = new byte[8 << 20];
        byte[] bomb = TestArchives.zip(Map.of("model/zeros.bin", zeros));
        assertTrue(bomb.length < 100_000, "the archive itself is small: " + bomb.length);
        UnsafeArchiveException size = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("bomb.zip", bomb), tmp.resolve("t3"), "x"));
        assertTrue(size.getMessage().contains("more than " + (1 << 20) + " bytes"), size.getMessage());
        Path partial = tmp.resolve("t3/model/zeros.bin");
        assertTrue(!Files.exists(partial) || Files.size(partial) <= 1 << 20, "never more than the limit is written");
        UnsafeArchiveException sizeTar = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("bomb.tgz", TestArchives.tarGz(Map.of("zeros.bin", zeros))), tmp.resolve("t4"), "x"));
        assertTrue(sizeTar.getMessage().contains("bytes"), sizeTar.getMessage());
    }

    @Test
    void corruptArchivesAreRefused() throws Exception {
        byte[] zip = TestArchives.zip(TestArchives.legacyLayout("tiny.onnx", MODEL));
        byte[] cut = java.util.Arrays.copyOf(zip, zip.length - 30); // central directory damaged
        UnsafeArchiveException z = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("cut.zip", cut), target, "x"));
        assertTrue(z.getMessage().contains("corrupt"), z.getMessage());

        byte[] tgz = TestArchives.tarGz(TestArchives.legacyLayout("tiny.onnx", new byte[50_000]));
        byte[] cutTgz = java.util.Arrays.copyOf(tgz, tgz.length / 2);
        UnsafeArchiveException t = assertThrows(UnsafeArchiveException.class,
                () -> unpacker.unpack(write("cut.tgz", cutTgz), tmp.resolve("t2"), "x"));
        assertTrue(t.getMessage().contains("corrupt") || t.getMessage().contains("truncated"), t.getMessage());
    }

    @Test
    void aGzippedSingleFileIsDecompressedUnderItsName() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes)) {
            gz.write(MODEL);
        }
        ArchiveUnpacker.Result r = unpacker.unpack(write("download", bytes.toByteArray()), target, "tiny.onnx.gz");
        assertEquals("gz", r.kind());
        assertArrayEquals(MODEL, Files.readAllBytes(target.resolve("tiny.onnx")));
    }
}
