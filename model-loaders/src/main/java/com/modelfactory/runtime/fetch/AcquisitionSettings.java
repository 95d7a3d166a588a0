package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the model comes from and how to get it: a plain record, so the server's typed configuration maps
 * onto it one field at a time. Null (or 0 for numbers) means "the default" for every field but the sources.
 * The environment variable of each field is given below; {@link #fromEnvironment(Map)} reads them all.
 *
 * @param modelPath         {@code MODEL_PATH} (flag {@code --model}): a model file, a model folder, an archive
 *                          (zip, tar, tar.gz/tgz), or a {@code file:}, {@code http:} or {@code https:} URL of
 *                          one. Wins over the model store when both are set.
 * @param storeAddress      {@code XQUERY_ADDR}: the model store's base URL, e.g. {@code http://store:8080}
 * @param modelId           {@code MODEL_ID}: the model's id in the store (required with XQUERY_ADDR)
 * @param modelVersion      {@code MODEL_VERSION}: the model's version in the store (required with XQUERY_ADDR)
 * @param guid              {@code GUID}: the store's request GUID; a secret: never logged
 * @param urlTemplate       {@code MODEL_URL_TEMPLATE}: the download URL with placeholders {XQUERY_ADDR},
 *                          {MODEL_ID}, {MODEL_VERSION}, {GUID} (values URL-encoded except XQUERY_ADDR); default
 *                          {@value #DEFAULT_URL_TEMPLATE}
 * @param headers           {@code MODEL_STORE_HEADERS}: extra request headers, e.g. an auth token, written
 *                          {@code "Name: value"} (or {@code Name=value}) separated by commas, {@code ;} or
 *                          newlines; values never logged
 * @param modelDir          {@code MODEL_DIR}: where downloaded and unpacked models are cached, one folder per
 *                          id/version; default {@code /models} when writable (the image), else
 *                          {@code ~/.cache/model-runtime/models}
 * @param sha256            {@code MODEL_SHA256}: expected SHA-256 (hex) of the downloaded or local archive
 * @param formatOverride    {@code MODEL_FORMAT}: skip detection (onnx, torchscript, keras_h5, tf_savedmodel,
 *                          tf_frozen_graph, tf_checkpoint)
 * @param versionDir        {@code MODEL_VERSION_DIR}: the numbered version folder to serve (TF Serving
 *                          layout); default the highest
 * @param modelFileName     {@code MODEL_FILE}: the file (or relative path) to serve when the model folder
 *                          holds several models
 * @param connectTimeout    {@code DOWNLOAD_CONNECT_TIMEOUT_MS}: TCP connect timeout; default 10 s
 * @param readTimeout       {@code DOWNLOAD_READ_TIMEOUT_MS}: longest wait for the response headers or for the
 *                          next bytes of the body (idle time, not total time); default 60 s
 * @param retries           {@code DOWNLOAD_RETRIES}: attempts after the first, on connection errors,
 *                          timeouts, 5xx, 408, 429 and truncated bodies (never on other 4xx); default 5
 * @param initialBackoff    {@code DOWNLOAD_RETRY_BACKOFF_MS}: wait before the first retry, doubled each retry,
 *                          with jitter; default 1 s
 * @param maxBackoff        {@code DOWNLOAD_RETRY_MAX_BACKOFF_MS}: the longest wait between attempts; default 30 s
 * @param maxArchiveEntries {@code MAX_ARCHIVE_ENTRIES}: refuse archives with more entries; default 100000
 * @param maxUnpackedBytes  {@code MAX_UNPACKED_BYTES}: refuse archives unpacking to more bytes (a number, or
 *                          with a unit: {@code 20g}); default 32 GiB
 * @param progressInterval  {@code DOWNLOAD_PROGRESS_INTERVAL_MS}: how often download progress is logged; default 5 s
 *
 * <p>Durations from the environment are milliseconds ({@code 1500}) or carry a unit ({@code 500ms},
 * {@code 10s}, {@code 2m}, ISO-8601 {@code PT10S}).
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
        Duration progressInterval) {

    public static final String DEFAULT_URL_TEMPLATE =
            "{XQUERY_ADDR}/model/download?modelId={MODEL_ID}&modelVersion={MODEL_VERSION}&guid={GUID}";

    public AcquisitionSettings {
        modelPath = blankToNull(modelPath);
        storeAddress = blankToNull(storeAddress);
        modelId = blankToNull(modelId);
        modelVersion = blankToNull(modelVersion);
        guid = blankToNull(guid);
        urlTemplate = blankToNull(urlTemplate) == null ? DEFAULT_URL_TEMPLATE : urlTemplate;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        modelDir = modelDir == null ? defaultModelDir() : modelDir;
        sha256 = blankToNull(sha256) == null ? null : sha256.trim().toLowerCase(Locale.ROOT);
        versionDir = blankToNull(versionDir);
        modelFileName = blankToNull(modelFileName);
        connectTimeout = positiveOr(connectTimeout, Duration.ofSeconds(10));
        readTimeout = positiveOr(readTimeout, Duration.ofSeconds(60));
        retries = retries < 0 ? 5 : retries;
        initialBackoff = initialBackoff == null || initialBackoff.isNegative() ? Duration.ofSeconds(1) : initialBackoff;
        maxBackoff = positiveOr(maxBackoff, Duration.ofSeconds(30));
        maxArchiveEntries = maxArchiveEntries <= 0 ? 100_000 : maxArchiveEntries;
        maxUnpackedBytes = maxUnpackedBytes <= 0 ? 32L << 30 : maxUnpackedBytes;
        progressInterval = positiveOr(progressInterval, Duration.ofSeconds(5));
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("MODEL_SHA256 must be 64 hex digits, got " + sha256.length() + " characters");
        }
    }

    /** Only the sources set; everything else default. */
    public static AcquisitionSettings ofPath(String modelPath, Path modelDir) {
        return new Builder().modelPath(modelPath).modelDir(modelDir).build();
    }

    /** Whether a model source is configured at all (else the server uses its bundled default model). */
    public boolean hasSource() {
        return modelPath != null || storeAddress != null;
    }

    /** Attempts in all: the first and the retries. */
    public int maxAttempts() {
        return retries + 1;
    }

    /** The settings from environment variables (see the record's documentation for the names). */
    public static AcquisitionSettings fromEnvironment(Map<String, String> env) {
        Builder b = new Builder()
                .modelPath(env.get("MODEL_PATH"))
                .storeAddress(env.get("XQUERY_ADDR"))
                .modelId(env.get("MODEL_ID"))
                .modelVersion(env.get("MODEL_VERSION"))
                .guid(env.get("GUID"))
                .urlTemplate(env.get("MODEL_URL_TEMPLATE"))
                .headers(parseHeaders(env.get("MODEL_STORE_HEADERS")))
                .sha256(env.get("MODEL_SHA256"))
                .versionDir(env.get("MODEL_VERSION_DIR"))
                .modelFileName(env.get("MODEL_FILE"));
        if (blankToNull(env.get("MODEL_DIR")) != null) {
            b.modelDir(Path.of(env.get("MODEL_DIR")));
        }
        if (blankToNull(env.get("MODEL_FORMAT")) != null) {
            b.formatOverride(ModelFormat.fromId(env.get("MODEL_FORMAT").trim()));
        }
        b.connectTimeout(parseMillis(env, "DOWNLOAD_CONNECT_TIMEOUT_MS"));
        b.readTimeout(parseMillis(env, "DOWNLOAD_READ_TIMEOUT_MS"));
        b.initialBackoff(parseMillis(env, "DOWNLOAD_RETRY_BACKOFF_MS"));
        b.maxBackoff(parseMillis(env, "DOWNLOAD_RETRY_MAX_BACKOFF_MS"));
        b.progressInterval(parseMillis(env, "DOWNLOAD_PROGRESS_INTERVAL_MS"));
        if (blankToNull(env.get("DOWNLOAD_RETRIES")) != null) {
            b.retries((int) parseLong("DOWNLOAD_RETRIES", env.get("DOWNLOAD_RETRIES")));
        }
        b.maxArchiveEntries((int) parseLong("MAX_ARCHIVE_ENTRIES", env.get("MAX_ARCHIVE_ENTRIES")));
        b.maxUnpackedBytes(parseSize("MAX_UNPACKED_BYTES", env.get("MAX_UNPACKED_BYTES")));
        return b.build();
    }

    /** {@code "Authorization: Bearer x, X-Tenant: t"} (or separated by {@code ;} or newlines; or {@code Name=value}) to a map. */
    public static Map<String, String> parseHeaders(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        if (blankToNull(spec) == null) {
            return out;
        }
        for (String entry : spec.split("[,;\\n\\r]+")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            int eq = entry.indexOf('=');
            int sep = colon < 0 ? eq : eq < 0 ? colon : Math.min(colon, eq);
            if (sep <= 0) {
                // The entry itself may hold a secret: name only its position.
                throw new IllegalArgumentException("MODEL_STORE_HEADERS: an entry is not 'Name: value'");
            }
            out.put(entry.substring(0, sep).trim(), entry.substring(sep + 1).trim());
        }
        return out;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?");

    private static Duration parseMillis(Map<String, String> env, String name) {
        return parseDuration(name, env.get(name), "ms");
    }

    /**
     * {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, ISO-8601 ({@code PT10S}), or a plain number in
     * {@code plainUnit} ("ms" or "s").
     */
    public static Duration parseDuration(String name, String value, String plainUnit) {
        if (blankToNull(value) == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a duration (e.g. 500ms, 10s, 2m)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? plainUnit : m.group(2);
        long millis = (long) (n * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        });
        return Duration.ofMillis(millis);
    }

    /** Bytes, or with a unit: {@code 512m}, {@code 20g}, {@code 1TiB}. */
    public static long parseSize(String name, String value) {
        if (blankToNull(value) == null) {
            return 0;
        }
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a size (e.g. 512m, 20g)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        return switch (unit) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            case "t" -> n << 40;
            default -> n;
        };
    }

    private static long parseLong(String name, String value) {
        if (blankToNull(value) == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a whole number");
        }
    }

    /** {@code /models} when it exists and is writable (the container image), else a per-user cache folder. */
    public static Path defaultModelDir() {
        Path image = Path.of("/models");
        if (Files.isDirectory(image) && Files.isWritable(image)) {
            return image;
        }
        return Path.of(System.getProperty("user.home"), ".cache", "model-runtime", "models");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Duration positiveOr(Duration d, Duration dflt) {
        return d == null || d.isZero() || d.isNegative() ? dflt : d;
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
                + ", progressInterval=" + progressInterval + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction; unset fields take their defaults. */
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
        private int retries = -1;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private int maxArchiveEntries;
        private long maxUnpackedBytes;
        private Duration progressInterval;

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
        public Builder progressInterval(Duration v) { progressInterval = v; return this; }

        public AcquisitionSettings build() {
            return new AcquisitionSettings(modelPath, storeAddress, modelId, modelVersion, guid, urlTemplate, headers,
                    modelDir, sha256, formatOverride, versionDir, modelFileName, connectTimeout, readTimeout,
                    retries, initialBackoff, maxBackoff, maxArchiveEntries, maxUnpackedBytes, progressInterval);
        }
    }
}
