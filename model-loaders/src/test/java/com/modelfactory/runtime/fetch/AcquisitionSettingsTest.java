package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcquisitionSettingsTest {

    @Test
    void everyEnvironmentVariableMapsToItsField() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("MODEL_PATH", "/srv/m.onnx"), Map.entry("XQUERY_ADDR", "http://store:8080"),
                Map.entry("MODEL_ID", "id1"), Map.entry("MODEL_VERSION", "3"), Map.entry("GUID", "g-secret"),
                Map.entry("MODEL_URL_TEMPLATE", "{XQUERY_ADDR}/d/{MODEL_ID}"),
                Map.entry("MODEL_STORE_HEADERS", "Authorization: Bearer abc, X-Tenant=t1"),
                Map.entry("MODEL_DIR", "/data/models"), Map.entry("MODEL_SHA256", "AB".repeat(32)),
                Map.entry("MODEL_FORMAT", "tf_savedmodel"), Map.entry("MODEL_VERSION_DIR", "00000123"),
                Map.entry("MODEL_FILE", "model.h5"), Map.entry("DOWNLOAD_CONNECT_TIMEOUT_MS", "3000"),
                Map.entry("DOWNLOAD_READ_TIMEOUT_MS", "1.5s"), Map.entry("DOWNLOAD_RETRIES", "7"),
                Map.entry("DOWNLOAD_RETRY_BACKOFF_MS", "500"), Map.entry("DOWNLOAD_RETRY_MAX_BACKOFF_MS", "2m"),
                Map.entry("MAX_ARCHIVE_ENTRIES", "99"), Map.entry("MAX_UNPACKED_BYTES", "2g"),
                Map.entry("DOWNLOAD_PROGRESS_INTERVAL_MS", "PT10S"));
        AcquisitionSettings s = AcquisitionSettings.fromEnvironment(env);
        assertEquals("/srv/m.onnx", s.modelPath());
        assertEquals("http://store:8080", s.storeAddress());
        assertEquals("id1", s.modelId());
        assertEquals("3", s.modelVersion());
        assertEquals("g-secret", s.guid());
        assertEquals("{XQUERY_ADDR}/d/{MODEL_ID}", s.urlTemplate());
        assertEquals(Map.of("Authorization", "Bearer abc", "X-Tenant", "t1"), s.headers());
        assertEquals(Path.of("/data/models"), s.modelDir());
        assertEquals("ab".repeat(32), s.sha256());
        assertEquals(ModelFormat.SAVED_MODEL, s.formatOverride());
        assertEquals("00000123", s.versionDir());
        assertEquals("model.h5", s.modelFileName());
        assertEquals(Duration.ofSeconds(3), s.connectTimeout());
        assertEquals(Duration.ofMillis(1500), s.readTimeout());
        assertEquals(7, s.retries());
        assertEquals(8, s.maxAttempts());
        assertEquals(Duration.ofMillis(500), s.initialBackoff());
        assertEquals(Duration.ofMinutes(2), s.maxBackoff());
        assertEquals(99, s.maxArchiveEntries());
        assertEquals(2L << 30, s.maxUnpackedBytes());
        assertEquals(Duration.ofSeconds(10), s.progressInterval());
    }

    @Test
    void unsetFieldsTakeDocumentedDefaults() {
        AcquisitionSettings s = AcquisitionSettings.fromEnvironment(Map.of("MODEL_ID", " "));
        assertFalse(s.hasSource());
        assertNull(s.modelId());
        assertEquals(AcquisitionSettings.DEFAULT_URL_TEMPLATE, s.urlTemplate());
        assertEquals(Duration.ofSeconds(10), s.connectTimeout());
        assertEquals(Duration.ofSeconds(60), s.readTimeout());
        assertEquals(5, s.retries());
        assertEquals(100_000, s.maxArchiveEntries());
        assertEquals(32L << 30, s.maxUnpackedBytes());
        assertEquals(AcquisitionSettings.defaultModelDir(), s.modelDir());
    }

    @Test
    void invalidValuesAreRejectedWithTheVariableName() {
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> AcquisitionSettings.fromEnvironment(Map.of("DOWNLOAD_READ_TIMEOUT_MS", "soon")));
        assertTrue(d.getMessage().contains("DOWNLOAD_READ_TIMEOUT_MS"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AcquisitionSettings.fromEnvironment(Map.of("MODEL_SHA256", "abc")));
        assertThrows(IllegalArgumentException.class, () -> AcquisitionSettings.fromEnvironment(Map.of("MODEL_FORMAT", "caffe")));
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
                () -> AcquisitionSettings.fromEnvironment(Map.of("MODEL_STORE_HEADERS", "justasecretvalue")));
        assertFalse(h.getMessage().contains("justasecretvalue"), "a malformed header entry is not echoed");
    }

    @Test
    void toStringHidesTheGuidAndHeaderValues() {
        AcquisitionSettings s = AcquisitionSettings.builder().storeAddress("http://store").modelId("m").modelVersion("1")
                .guid("g-secret").headers(Map.of("Authorization", "Bearer tok-secret"))
                .modelPath("https://host/m.zip?token=t-secret").build();
        String text = s.toString();
        assertFalse(text.contains("g-secret") || text.contains("tok-secret") || text.contains("t-secret"), text);
        assertTrue(text.contains("Authorization"), text);
    }
}
