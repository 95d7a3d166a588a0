package com.modelfactory.runtime.fetch;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Acquisition settings for tests, every value given explicitly: AcquisitionSettings has no defaults of
 * its own (the server's option table holds them). These are the option table's values; tests about
 * timeouts and retries override them.
 */
final class TestSettings {
    static final String URL_TEMPLATE =
            "{XQUERY_ADDR}/model/download?modelId={MODEL_ID}&modelVersion={MODEL_VERSION}&guid={GUID}";

    private TestSettings() {
    }

    static AcquisitionSettings.Builder builder() {
        return AcquisitionSettings.builder()
                .urlTemplate(URL_TEMPLATE)
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(60))
                .retries(5)
                .initialBackoff(Duration.ofSeconds(1))
                .maxBackoff(Duration.ofSeconds(30))
                .maxArchiveEntries(100_000)
                .maxUnpackedBytes(32L << 30)
                .maxCompressionRatio(200)
                .progressInterval(Duration.ofSeconds(5));
    }

    /** A local path or URL, cached under {@code modelDir}. */
    static AcquisitionSettings ofPath(String modelPath, Path modelDir) {
        return builder().modelPath(modelPath).modelDir(modelDir).build();
    }
}
