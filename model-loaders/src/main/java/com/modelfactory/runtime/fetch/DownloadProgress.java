package com.modelfactory.runtime.fetch;

import java.time.Duration;

/**
 * Where a download stands while its body arrives: what {@link AcquisitionListener#downloadProgress} gets at
 * most once per progress interval, for GET /model and the metrics during a long download.
 *
 * @param bytes         bytes of the body received so far in this attempt
 * @param expectedBytes the Content-Length, or -1 when the store sent none
 * @param attempt       this attempt, from 1
 * @param retries       attempts that failed before this one
 * @param elapsed       time since this attempt's response began
 */
public record DownloadProgress(long bytes, long expectedBytes, int attempt, int retries, Duration elapsed) {

    /** Received share of the body, 0 to 1, or -1 when the size is unknown. */
    public double fraction() {
        return expectedBytes > 0 ? Math.min(1.0, (double) bytes / expectedBytes) : -1;
    }

    /** Average rate of this attempt so far. */
    public long bytesPerSecond() {
        double seconds = Math.max(1e-3, elapsed.toNanos() / 1e9);
        return (long) (bytes / seconds);
    }
}
