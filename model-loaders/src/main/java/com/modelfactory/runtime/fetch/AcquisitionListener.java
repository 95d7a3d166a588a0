package com.modelfactory.runtime.fetch;

import java.time.Duration;

/**
 * Hooks for metrics (the server implements them with Micrometer; this module stays free of it). All
 * methods are called on the acquiring thread, sources and URLs always redacted.
 */
public interface AcquisitionListener {
    AcquisitionListener NONE = new AcquisitionListener() {
    };

    /** A download attempt got a 2xx answer; {@code expectedBytes} is -1 when no Content-Length was sent. */
    default void downloadStarted(String redactedUrl, int attempt, long expectedBytes) {
    }

    /** Called at most every progress interval while bytes arrive. */
    default void downloadProgress(long bytes, long expectedBytes) {
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
