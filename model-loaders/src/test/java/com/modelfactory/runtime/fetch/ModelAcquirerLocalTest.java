package com.modelfactory.runtime.fetch;

import static com.modelfactory.runtime.fetch.LoopbackStore.ok;
import static com.modelfactory.runtime.fetch.ModelDirAssertions.assertNothingHalfWritten;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.format.UnrecognizedModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local paths, file: and http(s): URLs, and archives through the whole acquisition. */
class ModelAcquirerLocalTest {
    private static final byte[] MODEL = TinyOnnx.identity();

    @TempDir
    Path tmp;

    private Path modelDir() {
        return tmp.resolve("models");
    }

    @Test
    void aLocalModelFileOrFolderIsUsedInPlace() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("delivery/model/model"));
        Files.write(dir.resolve("net.onnx"), MODEL);
        Files.writeString(tmp.resolve("delivery/model-config.yaml"), "name: x\n");
        Files.createDirectories(tmp.resolve("delivery/.git"));

        AcquiredModel folder = new ModelAcquirer().acquire(TestSettings.ofPath(tmp.resolve("delivery").toString(), modelDir()));
        assertEquals(dir.resolve("net.onnx"), folder.modelPath());
        assertNull(folder.cacheKey());
        assertFalse(Files.exists(modelDir()), "nothing is copied for a model used in place");

        AcquiredModel file = new ModelAcquirer().acquire(TestSettings.ofPath(dir.resolve("net.onnx").toUri().toString(), modelDir()));
        assertEquals(ModelFormat.ONNX, file.format());
        assertEquals(dir.resolve("net.onnx"), file.modelPath());
    }

    @Test
    void aLocalArchiveIsUnpackedOnceIntoTheCache() throws Exception {
        Path zip = tmp.resolve("model.zip");
        Files.write(zip, TestArchives.zip(TestArchives.legacyLayout("net.onnx", MODEL)));
        AcquiredModel first = new ModelAcquirer().acquire(TestSettings.ofPath(zip.toString(), modelDir()));
        assertTrue(first.cacheKey().startsWith("archive-"), first.cacheKey());
        assertTrue(first.modelPath().startsWith(modelDir()), first.modelPath().toString());
        assertTrue(first.modelPath().endsWith("model/model/net.onnx"), first.modelPath().toString());
        assertTrue(Files.exists(zip), "the user's archive is left alone");
        AcquiredModel second = new ModelAcquirer().acquire(TestSettings.ofPath(zip.toString(), modelDir()));
        assertTrue(second.fromCache());
        assertEquals(first.modelPath(), second.modelPath());
    }

    @Test
    void aLocalFileWithTheWrongChecksumIsRefused() throws Exception {
        Path onnx = Files.write(tmp.resolve("net.onnx"), MODEL);
        assertThrows(ChecksumMismatchException.class, () -> new ModelAcquirer().acquire(
                TestSettings.builder().modelPath(onnx.toString()).modelDir(modelDir()).sha256("0".repeat(64)).build()));
        String right = ModelAcquirerStoreTest.sha256(MODEL);
        assertEquals(ModelFormat.ONNX, new ModelAcquirer().acquire(TestSettings.builder()
                .modelPath(onnx.toString()).modelDir(modelDir()).sha256(right).build()).format());
    }

    @Test
    void anHttpUrlIsDownloadedAndCachedUnderItsHash() throws Exception {
        byte[] tgz = TestArchives.tarGz(TestArchives.legacyLayout("net.onnx", MODEL));
        try (LoopbackStore s = new LoopbackStore(ok(tgz, Map.of("Content-Disposition", "attachment; filename=\"../m.tgz\"")))) {
            AcquiredModel m = new ModelAcquirer().acquire(TestSettings.ofPath(s.base() + "/files/m?sig=secret-sig", modelDir()));
            assertEquals(ModelFormat.ONNX, m.format());
            assertTrue(m.cacheKey().startsWith("url-"), m.cacheKey());
            assertEquals(s.base() + "/files/m?sig=***", m.source());
            assertEquals("/files/m?sig=secret-sig", s.requests().get(0).target());
        }
    }

    @Test
    void maliciousArchivesFromTheStoreLeaveNothingAnywhere() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Map<String, byte[]> slip = new LinkedHashMap<>(TestArchives.legacyLayout("net.onnx", MODEL));
        slip.put("../../outside/evil.txt", "pwned".getBytes());
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            many.put("model/model/f" + i + ".txt", new byte[] {1});
        }
        List<byte[]> hostile = List.of(
                TestArchives.zip(slip),
                TestArchives.tarWithLink("model/model/x", "../../../outside", true, null, null),
                TestArchives.zip(many),
                TestArchives.zip(Map.of("model/model/zeros.bin", new byte[4 << 20])));
        for (byte[] archive : hostile) {
            try (LoopbackStore s = new LoopbackStore(ok(archive))) {
                AcquisitionSettings settings = TestSettings.builder().storeAddress(s.base()).modelId("m")
                        .modelVersion("1").guid("g").modelDir(modelDir()).maxArchiveEntries(10)
                        .maxUnpackedBytes(1 << 20).build();
                assertThrows(UnsafeArchiveException.class, () -> new ModelAcquirer().acquire(settings));
            }
            assertNothingHalfWritten(modelDir());
            try (Stream<Path> out = Files.list(outside)) {
                assertEquals(List.of(), out.toList());
            }
        }
    }

    @Test
    void missingPathsAndMissingStoreParametersAreNamed() {
        ModelAcquisitionException missing = assertThrows(ModelAcquisitionException.class, () -> new ModelAcquirer()
                .acquire(TestSettings.ofPath(tmp.resolve("nope.onnx").toString(), modelDir())));
        assertTrue(missing.getMessage().contains("nope.onnx"), missing.getMessage());
        ModelAcquisitionException noVersion = assertThrows(ModelAcquisitionException.class, () -> new ModelAcquirer()
                .acquire(TestSettings.builder().storeAddress("http://127.0.0.1:9").modelId("m").modelDir(modelDir()).build()));
        assertTrue(noVersion.getMessage().contains("MODEL_VERSION is missing"), noVersion.getMessage());
        ModelAcquisitionException none = assertThrows(ModelAcquisitionException.class,
                () -> new ModelAcquirer().acquire(TestSettings.builder().modelDir(modelDir()).build()));
        assertTrue(none.getMessage().contains("MODEL_PATH") && none.getMessage().contains("XQUERY_ADDR"), none.getMessage());
    }

    @Test
    void aFolderWithoutAModelListsWhatItHolds() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty-ish"));
        Files.writeString(dir.resolve("notes.txt"), "hi");
        Files.write(dir.resolve("weights.onnx"), new byte[] {1, 2, 3});
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class,
                () -> new ModelAcquirer().acquire(TestSettings.ofPath(dir.toString(), modelDir())));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("weights.onnx")
                && e.getMessage().contains("not an ONNX ModelProto"), e.getMessage());
    }
}
