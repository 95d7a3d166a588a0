package com.modelfactory.runtime.fetch;

import java.time.Duration;

/**
 * Hooks for metrics and GET /model (the server implements them; this module stays free of metrics
 * libraries). All methods are called on the acquiring thread, in order, with URLs and reasons redacted:
 * no GUID or store header value reaches them. A download is reported as started, then progress while its
 * body arrives, then completed, or retried and started again, or failed.
 */
public interface AcquisitionListener {
    AcquisitionListener NONE = new AcquisitionListener() {
    };

    /** A download attempt got a 2xx answer; {@code expectedBytes} is -1 when no Content-Length was sent. */
    default void downloadStarted(String redactedUrl, int attempt, long expectedBytes) {
    }

    /** While the body arrives, at most once per progress interval (DOWNLOAD_PROGRESS_INTERVAL_MS). */
    default void downloadProgress(DownloadProgress progress) {
    }

    /** An attempt failed and another follows after {@code backoff}. */
    default void downloadRetry(int failedAttempt, String reason, Duration backoff) {
    }

    /** The whole body arrived (and passed the checksum when one was configured). */
    default void downloadCompleted(long bytes, Duration duration, int retries) {
    }

    /** The download failed for good. */
    default void downloadFailed(String reason, int retries) {
    }

    /** The model was already unpacked under the model folder from an earlier start: no download. */
    default void cacheHit(String cacheKey) {
    }
}
