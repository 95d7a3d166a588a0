package com.modelfactory.runtime;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.fetch.AcquiredModel;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.fetch.AcquisitionSettings;
import com.modelfactory.runtime.fetch.ModelAcquirer;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gets the model to serve: from the model store or a local path/URL through {@link ModelAcquirer}
 * (download, unpack, locate, detect), or the bundled default model when nothing is configured.
 */
final class ModelSource {
    private ModelSource() {
    }

    /**
     * @param description   what GET /model reports about where the model came from and why this format
     * @param downloadFacts bytes, seconds and retries of the download (empty when nothing was downloaded)
     */
    record Located(Path path, ModelFormat format, Map<String, Object> description, Map<String, Double> downloadFacts) {
    }

    static Located locate(RuntimeConfig config) throws ModelLoadException {
        AcquisitionSettings settings = settings(config);
        Map<String, Object> d = new LinkedHashMap<>();
        if (!settings.hasSource()) {
            d.put("source", "bundled default model");
            d.put("format_reason", "the bundled default model is ONNX");
            return new Located(DefaultModel.extract(config.model().nativeCacheDir()), ModelFormat.ONNX, d, Map.of());
        }
        Map<String, Double> facts = new HashMap<>();
        AcquisitionListener listener = new AcquisitionListener() {
            @Override
            public void downloadCompleted(long bytes, Duration duration, int retries) {
                facts.put("bytes", (double) bytes);
                facts.put("seconds", duration.toNanos() / 1e9);
                facts.put("retries", (double) retries);
            }
        };
        AcquiredModel m;
        try {
            m = new ModelAcquirer().acquire(settings, listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while obtaining the model", e);
        }
        d.put("source", m.source());
        d.put("cache_key", m.cacheKey());
        d.put("from_cache", m.fromCache());
        d.put("format_reason", m.formatReason());
        d.put("model_path", m.modelPath().toString());
        return new Located(m.modelPath(), m.format(), d, facts);
    }

    static AcquisitionSettings settings(RuntimeConfig config) {
        RuntimeConfig.StoreSettings s = config.store();
        String format = config.model().format();
        return new AcquisitionSettings.Builder()
                .modelPath(config.model().location())
                .storeAddress(s.xqueryAddr()).modelId(s.modelId()).modelVersion(s.modelVersion()).guid(s.guid())
                .urlTemplate(s.urlTemplate()).headers(s.headers()).modelDir(s.modelDir()).sha256(s.sha256())
                .formatOverride(format == null ? null : ModelFormat.fromId(format))
                .versionDir(s.versionDir()).modelFileName(s.modelFile())
                .connectTimeout(Duration.ofMillis(s.connectTimeoutMs())).readTimeout(Duration.ofMillis(s.readTimeoutMs()))
                .retries(s.retries()).initialBackoff(Duration.ofMillis(s.retryBackoffMs()))
                .maxBackoff(Duration.ofMillis(s.retryMaxBackoffMs()))
                .maxArchiveEntries((int) Math.min(Integer.MAX_VALUE, s.maxArchiveEntries()))
                .maxUnpackedBytes(s.maxUnpackedBytes()).maxCompressionRatio(s.maxCompressionRatio())
                .progressInterval(Duration.ofMillis(s.progressIntervalMs()))
                .build();
    }
}
