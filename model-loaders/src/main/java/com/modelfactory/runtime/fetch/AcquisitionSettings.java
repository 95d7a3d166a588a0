package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Where the model comes from and how to get it: a plain record the server's typed configuration maps onto
 * one field at a time. It holds no defaults of its own: the server's option table is the one set of defaults,
 * and every field but the sources and the optional ones (guid, sha256, formatOverride, versionDir,
 * modelFileName, headers) must be given. The setting behind each field is named below, for messages.
 *
 * @param modelPath         {@code MODEL_PATH} (flag {@code --model}): a model file, a model folder, an archive
 *                          (zip, tar, tar.gz/tgz), or a {@code file:}, {@code http:} or {@code https:} URL of
 *                          one. Wins over the model store when both are set.
 * @param storeAddress      {@code XQUERY_ADDR}: the model store's base URL, e.g. {@code http://store:8080}
 * @param modelId           {@code MODEL_ID}: the model's id in the store (required with XQUERY_ADDR)
 * @param modelVersion      {@code MODEL_VERSION}: the model's version in the store (required with XQUERY_ADDR)
 * @param guid              {@code GUID}: the store's request GUID; a secret: never logged
 * @param urlTemplate       {@code MODEL_URL_TEMPLATE}: the download URL with placeholders {XQUERY_ADDR},
 *                          {MODEL_ID}, {MODEL_VERSION}, {GUID} (values URL-encoded except XQUERY_ADDR)
 * @param headers           {@code MODEL_STORE_HEADERS}: extra request headers, e.g. an auth token; values
 *                          never logged
 * @param modelDir          {@code MODEL_DIR}: where downloaded and unpacked models are cached, one folder per
 *                          id/version
 * @param sha256            {@code MODEL_SHA256}: expected SHA-256 (hex) of the downloaded or local archive
 * @param formatOverride    {@code MODEL_FORMAT}: skip detection
 * @param versionDir        {@code MODEL_VERSION_DIR}: the numbered version folder to serve (TF Serving
 *                          layout); null for the highest
 * @param modelFileName     {@code MODEL_FILE}: the file (or relative path) to serve when the model folder
 *                          holds several models
 * @param connectTimeout    {@code DOWNLOAD_CONNECT_TIMEOUT_MS}: TCP connect timeout
 * @param readTimeout       {@code DOWNLOAD_READ_TIMEOUT_MS}: longest wait for the response headers or for the
 *                          next bytes of the body (idle time, not total time)
 * @param retries           {@code DOWNLOAD_RETRIES}: attempts after the first, on connection errors,
 *                          timeouts, 5xx, 408, 429 and truncated bodies (never on other 4xx)
 * @param initialBackoff    {@code DOWNLOAD_RETRY_BACKOFF_MS}: wait before the first retry, doubled each retry,
 *                          with jitter
 * @param maxBackoff        {@code DOWNLOAD_RETRY_MAX_BACKOFF_MS}: the longest wait between attempts
 * @param maxArchiveEntries {@code MAX_ARCHIVE_ENTRIES}: refuse archives with more entries
 * @param maxUnpackedBytes  {@code MAX_UNPACKED_BYTES}: refuse archives unpacking to more bytes (lowered to what
 *                          fits on MODEL_DIR's disk when that is less)
 * @param maxCompressionRatio {@code MAX_COMPRESSION_RATIO}: refuse archives, and entries, inflating more than
 *                          this many times their compressed size (checked past a few MB)
 * @param progressInterval  {@code DOWNLOAD_PROGRESS_INTERVAL_MS}: how often download progress is logged
 */
public record AcquisitionSettings(
        String modelPath,
        String storeAddress,
        String modelId,
        String modelVersion,
        String guid,
        String urlTemplate,
        Map<String, String> headers,
        Path modelDir,
        String sha256,
        ModelFormat formatOverride,
        String versionDir,
        String modelFileName,
        Duration connectTimeout,
        Duration readTimeout,
        int retries,
        Duration initialBackoff,
        Duration maxBackoff,
        int maxArchiveEntries,
        long maxUnpackedBytes,
        int maxCompressionRatio,
        Duration progressInterval,
        StoreTls storeTls) {

    public AcquisitionSettings {
        modelPath = blankToNull(modelPath);
        storeAddress = blankToNull(storeAddress);
        modelId = blankToNull(modelId);
        modelVersion = blankToNull(modelVersion);
        guid = blankToNull(guid);
        urlTemplate = required(blankToNull(urlTemplate), "urlTemplate (MODEL_URL_TEMPLATE)");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        modelDir = required(modelDir, "modelDir (MODEL_DIR)");
        sha256 = blankToNull(sha256) == null ? null : sha256.trim().toLowerCase(Locale.ROOT);
        versionDir = blankToNull(versionDir);
        modelFileName = blankToNull(modelFileName);
        positive(connectTimeout, "connectTimeout (DOWNLOAD_CONNECT_TIMEOUT_MS)");
        positive(readTimeout, "readTimeout (DOWNLOAD_READ_TIMEOUT_MS)");
        atLeast(retries, 0, "retries (DOWNLOAD_RETRIES)");
        required(initialBackoff, "initialBackoff (DOWNLOAD_RETRY_BACKOFF_MS)");
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException("initialBackoff (DOWNLOAD_RETRY_BACKOFF_MS) is negative");
        }
        positive(maxBackoff, "maxBackoff (DOWNLOAD_RETRY_MAX_BACKOFF_MS)");
        atLeast(maxArchiveEntries, 1, "maxArchiveEntries (MAX_ARCHIVE_ENTRIES)");
        atLeast(maxUnpackedBytes, 1, "maxUnpackedBytes (MAX_UNPACKED_BYTES)");
        atLeast(maxCompressionRatio, 1, "maxCompressionRatio (MAX_COMPRESSION_RATIO)");
        positive(progressInterval, "progressInterval (DOWNLOAD_PROGRESS_INTERVAL_MS)");
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("MODEL_SHA256 must be 64 hex digits, got " + sha256.length() + " characters");
        }
    }

    /** Whether a model source is configured at all (else the server uses its bundled default model). */
    public boolean hasSource() {
        return modelPath != null || storeAddress != null;
    }

    /** Attempts in all: the first and the retries. */
    public int maxAttempts() {
        return retries + 1;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <T> T required(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }

    private static void positive(Duration d, String name) {
        if (required(d, name).isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    private static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    @Override
    public String toString() {
        // Never print the GUID or header values.
        return "AcquisitionSettings[modelPath=" + (modelPath == null ? null : Redaction.url(modelPath))
                + ", storeAddress=" + storeAddress + ", modelId=" + modelId + ", modelVersion=" + modelVersion
                + ", guid=" + (guid == null ? null : "***") + ", urlTemplate=" + urlTemplate
                + ", headers=" + headers.keySet() + ", modelDir=" + modelDir + ", sha256=" + sha256
                + ", formatOverride=" + formatOverride + ", versionDir=" + versionDir
                + ", modelFileName=" + modelFileName + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", retries=" + retries
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", maxArchiveEntries=" + maxArchiveEntries + ", maxUnpackedBytes=" + maxUnpackedBytes
                + ", maxCompressionRatio=" + maxCompressionRatio
                + ", progressInterval=" + progressInterval + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction; {@link #build()} fails naming a required field that was not set. */
    public static final class Builder {
        private String modelPath;
        private String storeAddress;
        private String modelId;
        private String modelVersion;
        private String guid;
        private String urlTemplate;
        private Map<String, String> headers;
        private Path modelDir;
        private String sha256;
        private ModelFormat formatOverride;
        private String versionDir;
        private String modelFileName;
        private Duration connectTimeout;
        private Duration readTimeout;
        private Integer retries;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Integer maxArchiveEntries;
        private Long maxUnpackedBytes;
        private Integer maxCompressionRatio;
        private Duration progressInterval;
        private StoreTls storeTls;

        /** The store's own CA and client certificate (null: the system trust store alone). */
        public Builder storeTls(StoreTls v) { storeTls = v; return this; }

        public Builder modelPath(String v) { modelPath = v; return this; }
        public Builder storeAddress(String v) { storeAddress = v; return this; }
        public Builder modelId(String v) { modelId = v; return this; }
        public Builder modelVersion(String v) { modelVersion = v; return this; }
        public Builder guid(String v) { guid = v; return this; }
        public Builder urlTemplate(String v) { urlTemplate = v; return this; }
        public Builder headers(Map<String, String> v) { headers = v; return this; }
        public Builder modelDir(Path v) { modelDir = v; return this; }
        public Builder sha256(String v) { sha256 = v; return this; }
        public Builder formatOverride(ModelFormat v) { formatOverride = v; return this; }
        public Builder versionDir(String v) { versionDir = v; return this; }
        public Builder modelFileName(String v) { modelFileName = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder readTimeout(Duration v) { readTimeout = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder initialBackoff(Duration v) { initialBackoff = v; return this; }
        public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
        public Builder maxArchiveEntries(int v) { maxArchiveEntries = v; return this; }
        public Builder maxUnpackedBytes(long v) { maxUnpackedBytes = v; return this; }
        public Builder maxCompressionRatio(int v) { maxCompressionRatio = v; return this; }
        public Builder progressInterval(Duration v) { progressInterval = v; return this; }

        public AcquisitionSettings build() {
            return new AcquisitionSettings(modelPath, storeAddress, modelId, modelVersion, guid, urlTemplate, headers,
                    modelDir, sha256, formatOverride, versionDir, modelFileName, connectTimeout, readTimeout,
                    required(retries, "retries (DOWNLOAD_RETRIES)"), initialBackoff, maxBackoff,
                    required(maxArchiveEntries, "maxArchiveEntries (MAX_ARCHIVE_ENTRIES)"),
                    required(maxUnpackedBytes, "maxUnpackedBytes (MAX_UNPACKED_BYTES)"),
                    required(maxCompressionRatio, "maxCompressionRatio (MAX_COMPRESSION_RATIO)"), progressInterval,
                    storeTls);
        }
    }
}
