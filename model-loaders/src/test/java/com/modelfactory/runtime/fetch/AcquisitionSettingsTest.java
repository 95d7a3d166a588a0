package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcquisitionSettingsTest {

    @Test
    void toStringHidesTheGuidAndHeaderValues() {
        AcquisitionSettings s = TestSettings.builder().storeAddress("http://store").modelId("m").modelVersion("1")
                .guid("g-secret").headers(Map.of("Authorization", "Bearer tok-secret"))
                .modelPath("https://host/m.zip?token=t-secret").modelDir(Path.of("/models")).build();
        String text = s.toString();
        assertFalse(text.contains("g-secret") || text.contains("tok-secret") || text.contains("t-secret"), text);
        assertTrue(text.contains("Authorization"), text);
    }

    /** No defaults here: the server's option table is the one set; a value not given is named. */
    @Test
    void aRequiredValueThatIsNotGivenIsNamedWithItsSetting() {
        IllegalArgumentException dir = assertThrows(IllegalArgumentException.class,
                () -> TestSettings.builder().modelPath("/m.onnx").build());
        assertTrue(dir.getMessage().contains("MODEL_DIR"), dir.getMessage());
        IllegalArgumentException template = assertThrows(IllegalArgumentException.class, () -> TestSettings.builder()
                .urlTemplate(null).modelDir(Path.of("/models")).build());
        assertTrue(template.getMessage().contains("MODEL_URL_TEMPLATE"), template.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class, () -> TestSettings.builder()
                .readTimeout(Duration.ZERO).modelDir(Path.of("/models")).build());
        assertTrue(timeout.getMessage().contains("DOWNLOAD_READ_TIMEOUT_MS"), timeout.getMessage());
        IllegalArgumentException retries = assertThrows(IllegalArgumentException.class, () -> AcquisitionSettings.builder()
                .urlTemplate("{XQUERY_ADDR}").modelDir(Path.of("/models")).build());
        assertEquals("retries (DOWNLOAD_RETRIES) is not set", retries.getMessage());
    }

    @Test
    void blanksAreUnsetAndTheChecksumIsNormalised() {
        AcquisitionSettings s = TestSettings.builder().modelDir(Path.of("/models")).modelId(" ")
                .sha256(" " + "AB".repeat(32) + " ").build();
        assertFalse(s.hasSource());
        assertNull(s.modelId());
        assertEquals("ab".repeat(32), s.sha256());
        assertEquals(6, s.maxAttempts());
        assertThrows(IllegalArgumentException.class, () -> TestSettings.builder().modelDir(Path.of("/m")).sha256("abc").build());
    }
}
