package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.fetch.AcquiredModel;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.fetch.AcquisitionSettings;
import com.modelfactory.runtime.fetch.DownloadProgress;
import com.modelfactory.runtime.fetch.ModelAcquirer;
import com.modelfactory.runtime.serving.ModelInfo;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Gets the model to serve: from the model store or a local path/URL through {@link ModelAcquirer}
 * (download, unpack, locate, detect), or the bundled default model when nothing is configured.
 */
public final class ModelSource {
    private ModelSource() {
    }

    /**
     * The located model, ready for an engine.
     *
     * @param download bytes, seconds and retries of the download (all 0 when nothing was downloaded)
     */
    public record Located(Path path, ModelFormat format, ModelInfo.Source source, Download download) {
    }

    public record Download(long bytes, double seconds, int retries) {
        public static final Download NONE = new Download(0, 0, 0);
    }

    /** Obtains the model, reporting a download's progress to {@code listener} as it goes. */
    public static Located locate(RuntimeConfig config, AcquisitionListener listener) throws ModelLoadException {
        AcquisitionSettings settings = settings(config);
        if (!settings.hasSource()) {
            return new Located(DefaultModel.extract(config.model().nativeCacheDir()), ModelFormat.ONNX, new ModelInfo.Source("bundled default model",
                    "the bundled default model is ONNX", null, null, null), Download.NONE);
        }
        Download[] download = {Download.NONE};
        AcquisitionListener recording = new AcquisitionListener() {
            @Override
            public void downloadProgress(DownloadProgress progress) {
                listener.downloadProgress(progress);
            }

            @Override
            public void downloadRetry(int failedAttempt, String reason, Duration backoff) {
                listener.downloadRetry(failedAttempt, reason, backoff);
            }

            @Override
            public void downloadCompleted(long bytes, Duration duration, int retries) {
                download[0] = new Download(bytes, duration.toNanos() / 1e9, retries);
                listener.downloadCompleted(bytes, duration, retries);
            }
        };
        AcquiredModel m;
        try {
            m = new ModelAcquirer().acquire(settings, recording);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while obtaining the model", e);
        }
        return new Located(m.modelPath(), m.format(), new ModelInfo.Source(m.source(), m.formatReason(),
                m.modelPath().toString(), m.cacheKey(), m.fromCache()), download[0]);
    }

    static AcquisitionSettings settings(RuntimeConfig config) {
        RuntimeConfig.StoreSettings s = config.store();
        return new AcquisitionSettings.Builder()
                .modelPath(config.model().location())
                .storeAddress(s.xqueryAddr()).modelId(s.modelId()).modelVersion(s.modelVersion()).guid(s.guid())
                .urlTemplate(s.urlTemplate()).headers(s.headers()).modelDir(s.modelDir()).sha256(s.sha256())
                .formatOverride(config.model().format())
                .versionDir(s.versionDir()).modelFileName(s.modelFile())
                .connectTimeout(s.connectTimeout()).readTimeout(s.readTimeout())
                .retries(s.retries()).initialBackoff(s.retryBackoff()).maxBackoff(s.retryMaxBackoff())
                .maxArchiveEntries(s.maxArchiveEntries())
                .maxUnpackedBytes(s.maxUnpackedBytes()).maxCompressionRatio(s.maxCompressionRatio())
                .progressInterval(s.progressInterval())
                .storeTls(s.tls())
                .build();
    }
}
