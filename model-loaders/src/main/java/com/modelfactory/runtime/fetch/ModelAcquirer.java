package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.format.Detection;
import com.modelfactory.runtime.format.FormatDetector;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.format.ModelLocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point the server calls at start: gets the model from where the settings say (a local
 * path, a {@code file:} or {@code http(s):} URL, or the model store), unpacks it into the cache under
 * MODEL_DIR when it is an archive or a download, finds the model inside and detects its format.
 *
 * <p>Every failure is a {@link ModelLoadException} subtype whose message names the cause, with URLs
 * redacted: {@link DownloadFailedException}, {@link ChecksumMismatchException},
 * {@link UnsafeArchiveException}, or the format package's unrecognised / ambiguous / unsupported ones.
 */
public final class ModelAcquirer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelAcquirer.class);

    private final ModelLocator locator = new ModelLocator();

    /**
     * Deletes the temporary folders of downloads still under way in this process: called when start-up is
     * abandoned (SIGTERM during a download), since the process then halts with the download thread still
     * writing and a later start of another model would otherwise be the first to notice the leftovers.
     */
    public static void abandonUnfinished() {
        ModelCache.deleteInProgress();
    }

    public AcquiredModel acquire(AcquisitionSettings settings) throws ModelLoadException, InterruptedException {
        return acquire(settings, AcquisitionListener.NONE);
    }

    public AcquiredModel acquire(AcquisitionSettings s, AcquisitionListener listener)
            throws ModelLoadException, InterruptedException {
        ModelLocator.Options options = new ModelLocator.Options(s.formatOverride(), s.versionDir(), s.modelFileName());
        Redactor redactor = Redactor.of(s);
        if (s.modelPath() != null) {
            if (s.storeAddress() != null) {
                LOG.info("MODEL_PATH is set: the model store (XQUERY_ADDR) is not used");
            }
            String p = s.modelPath().trim();
            String lower = p.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                URI uri = parseUri(p);
                return fromUrl(s, listener, options, uri, "url-" + shortHash(uri.toString()), redactor);
            }
            Path path = localPath(p);
            return fromLocal(s, options, path);
        }
        if (s.storeAddress() != null) {
            URI uri = StoreUrl.build(s, redactor);
            return fromUrl(s, listener, options, uri, ModelCache.storeKey(s.modelId(), s.modelVersion()), redactor);
        }
        throw new ModelAcquisitionException("no model configured: set MODEL_PATH (a model file, folder, archive or URL) "
                + "or XQUERY_ADDR with MODEL_ID, MODEL_VERSION and GUID");
    }

    private AcquiredModel fromLocal(AcquisitionSettings s, ModelLocator.Options options, Path path)
            throws ModelLoadException, InterruptedException {
        if (!Files.exists(path)) {
            throw new ModelAcquisitionException("MODEL_PATH " + path + " does not exist");
        }
        try {
            if (Files.isDirectory(path) || !ArchiveUnpacker.isArchive(path)) {
                if (s.sha256() != null && Files.isRegularFile(path)) {
                    verifyFile(path, s.sha256());
                }
                Detection d = locator.locate(path, options);
                log(d, path.toString(), null, false);
                return new AcquiredModel(d.modelPath(), d.format(), d.reason(), path.toString(), null, false);
            }
            // An archive on disk: unpacked once into the cache, keyed by where it is and what it is.
            String key = "archive-" + shortHash(path.toAbsolutePath() + "|" + Files.size(path) + "|"
                    + Files.getLastModifiedTime(path).toMillis());
            return cached(s, options, key, path.toString(), (content, work) -> {
                String sha = verifyFile(path, s.sha256());
                Path copy = work.resolve("download");
                Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                ArchiveUnpacker.Result r = unpacker(s).unpack(copy, content, path.getFileName().toString());
                LOG.info("unpacked {} ({}, {} entries, {} bytes)", path, r.kind(), r.entries(), r.bytes());
                return marker(path.toString(), sha, Files.size(path), r);
            });
        } catch (IOException e) {
            throw new ModelAcquisitionException("cannot read MODEL_PATH " + path + ": " + e, e);
        }
    }

    private AcquiredModel fromUrl(AcquisitionSettings s, AcquisitionListener listener, ModelLocator.Options options,
                                  URI uri, String key, Redactor redactor) throws ModelLoadException, InterruptedException {
        String safeUrl = redactor.url(uri);
        HttpDownloader downloader = new HttpDownloader(s.connectTimeout(), s.readTimeout(),
                new RetryPolicy(s.maxAttempts(), s.initialBackoff(), s.maxBackoff()), s.progressInterval(), listener,
                redactor, s.storeTls());
        AcquiredModel m = cached(s, options, key, safeUrl, (content, work) -> {
            Path download = work.resolve("download");
            HttpDownloader.Result r = downloader.download(uri, s.headers(), download, s.sha256());
            String name = r.suggestedFileName().orElseGet(() -> lastSegment(uri));
            ArchiveUnpacker.Result u = unpacker(s).unpack(download, content, name);
            LOG.info("unpacked the download ({}, {} entries, {} bytes)", u.kind(), u.entries(), u.bytes());
            Files.deleteIfExists(download); // the legacy service deleted the archive too: it is not needed again
            return marker(safeUrl, r.sha256(), r.bytes(), u);
        });
        if (m.fromCache()) {
            listener.cacheHit(key);
        }
        return m;
    }

    private AcquiredModel cached(AcquisitionSettings s, ModelLocator.Options options, String key, String source,
                                 ModelCache.Filler filler) throws ModelLoadException, InterruptedException {
        ModelCache cache = new ModelCache(s.modelDir());
        ModelCache.Entry entry = cache.obtain(key, s.sha256(), (content, work) -> {
            Properties marker = filler.fill(content, work);
            // A bare file from a nameless URL gets the extension its content calls for.
            nameBareFile(content);
            return marker;
        }, content -> locator.locate(content, options));
        Detection d = locator.locate(entry.dir(), options);
        log(d, source, key, entry.hit());
        return new AcquiredModel(d.modelPath(), d.format(), d.reason(), source, key, entry.hit());
    }

    private static void log(Detection d, String source, String key, boolean hit) {
        LOG.info("model from {}{}: {} at {} ({})", source, key == null ? "" : " [cache " + key + (hit ? ", hit" : "") + "]",
                d.format().id(), d.modelPath(), d.reason());
    }

    /** Made when unpacking begins, so the size limit fits the disk space left after the download. */
    private static ArchiveUnpacker unpacker(AcquisitionSettings s) throws IOException {
        return new ArchiveUnpacker(new ArchiveUnpacker.Limits(s.maxArchiveEntries(), s.maxUnpackedBytes(),
                s.maxCompressionRatio()).fittingDisk(s.modelDir()));
    }

    private static Properties marker(String source, String sha256, long bytes, ArchiveUnpacker.Result r) {
        Properties p = new Properties();
        p.setProperty("source", source);
        if (sha256 != null) {
            p.setProperty("sha256", sha256);
        }
        p.setProperty("bytes", Long.toString(bytes));
        p.setProperty("kind", r.kind());
        p.setProperty("entries", Integer.toString(r.entries()));
        p.setProperty("unpackedBytes", Long.toString(r.bytes()));
        return p;
    }

    /** Renames a lone file called "download"/"model" without extension to model.<ext> of its format. */
    private static void nameBareFile(Path content) throws IOException {
        try (var files = Files.list(content)) {
            var list = files.toList();
            if (list.size() != 1 || !Files.isRegularFile(list.get(0))) {
                return;
            }
            Path only = list.get(0);
            String name = only.getFileName().toString();
            if (name.contains(".")) {
                return;
            }
            Optional<ModelFormat> f = FormatDetector.fileFormat(only);
            String ext = f.map(ModelAcquirer::extensionFor).orElse(null);
            if (ext != null) {
                Files.move(only, content.resolve("model." + ext));
            }
        }
    }

    private static String extensionFor(ModelFormat f) {
        return switch (f) {
            case ONNX -> "onnx";
            case TORCHSCRIPT -> "pt";
            case KERAS_H5 -> "h5";
            case FROZEN_GRAPH -> "pb";
            case KERAS_V3 -> "keras";
            case TFLITE -> "tflite";
            case PMML -> "pmml";
            case PYTORCH_PICKLE -> "pth";
            default -> null;
        };
    }

    /** Verifies a local file against MODEL_SHA256 when set; returns its hash (null when not asked). */
    private static String verifyFile(Path file, String wanted) throws IOException, ChecksumMismatchException {
        if (wanted == null) {
            return null;
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equalsIgnoreCase(wanted)) {
            throw new ChecksumMismatchException(file + " has SHA-256 " + got + " but MODEL_SHA256 is " + wanted);
        }
        return got;
    }

    private static Path localPath(String p) throws ModelAcquisitionException {
        try {
            if (p.toLowerCase(Locale.ROOT).startsWith("file:")) {
                return Path.of(URI.create(p));
            }
            return Path.of(p);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new ModelAcquisitionException("MODEL_PATH " + Redaction.url(p) + " is not a valid path or file: URL: "
                    + e.getMessage());
        }
    }

    private static URI parseUri(String p) throws ModelAcquisitionException {
        try {
            return URI.create(p);
        } catch (IllegalArgumentException e) {
            throw new ModelAcquisitionException("MODEL_PATH " + Redaction.url(p) + " is not a valid URL");
        }
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() ? "model" : last;
    }

    static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
