package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.format.FormatDetector;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.utils.InputStreamStatistics;

/**
 * Unpacks zip, tar, tar.gz/tgz and tar.bz2 (by content, not by name) with Apache Commons Compress, or
 * takes a bare model file as it is. Every entry name is checked before anything is written: absolute paths,
 * {@code ..} segments and links pointing outside the target are refused. Bombs are refused while they are
 * unpacked, as soon as a limit is crossed ({@link UnpackBudget}, counting the bytes actually written, not
 * what headers claim): more entries or more bytes than the limits, or an entry or the archive inflating
 * more than the compression ratio allows. Links inside the archive become copies ({@link ExtractionTarget}).
 * The caller unpacks into a fresh temporary folder and deletes it on failure: a refused archive leaves
 * nothing behind.
 */
public final class ArchiveUnpacker {
    /** Ratios are checked once an entry, or the archive, has written this much: small files may compress well. */
    public static final long RATIO_CHECKED_FROM = 8L << 20;
    /** Kept free on MODEL_DIR's disk at most: a tenth of its free space when that is less. */
    static final long DISK_MARGIN = 1L << 30;

    /**
     * @param maxEntries     at most this many entries (MAX_ARCHIVE_ENTRIES)
     * @param maxBytes       at most this many bytes unpacked
     * @param maxRatio       at most this many bytes written per compressed byte read, per entry and in total
     *                       (MAX_COMPRESSION_RATIO)
     * @param maxBytesSource which setting or fact {@code maxBytes} comes from, for the message
     */
    public record Limits(int maxEntries, long maxBytes, int maxRatio, String maxBytesSource) {
        public Limits(int maxEntries, long maxBytes, int maxRatio) {
            this(maxEntries, maxBytes, maxRatio, "MAX_UNPACKED_BYTES");
        }

        /**
         * These limits, the size limit lowered to what fits on {@code dir}'s disk when that is less: its
         * usable space less a margin (1 GiB, or a tenth of the free space on a small disk).
         */
        public Limits fittingDisk(Path dir) throws IOException {
            long usable = Files.getFileStore(dir).getUsableSpace();
            long fits = usable - Math.min(DISK_MARGIN, usable / 10);
            if (fits >= maxBytes) {
                return this;
            }
            return new Limits(maxEntries, Math.max(0, fits), maxRatio, "what fits on the disk of MODEL_DIR " + dir
                    + ": " + usable + " bytes free less a margin; MAX_UNPACKED_BYTES is " + maxBytes);
        }
    }

    /** What was unpacked: the archive kind ("zip", "tar.gz", "file" …), entries and bytes written. */
    public record Result(String kind, int entries, long bytes) {
    }

    private final Limits limits;

    public ArchiveUnpacker(Limits limits) {
        this.limits = limits;
    }

    /**
     * Unpacks {@code source} into {@code target} (created if missing, expected empty). A file that is not an
     * archive is moved there as {@code bareFileName}.
     */
    public Result unpack(Path source, Path target, String bareFileName) throws UnsafeArchiveException, IOException {
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        byte[] head = head(source);
        if (isZip(head)) {
            Optional<ModelFormat> model = FormatDetector.fileFormat(source);
            if (model.isPresent()) {
                return bare(source, root, bareFileName); // a TorchScript or .keras file is itself a zip
            }
            return unzip(source, root);
        }
        if (isGzip(head) || isBzip2(head)) {
            return compressed(source, root, bareFileName, isGzip(head));
        }
        if (TarArchiveInputStream.matches(head, head.length)) {
            UnpackBudget budget = new UnpackBudget(limits);
            try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(source));
                 InputStream in = new BufferedInputStream(raw)) {
                budget.compressedFrom(raw::count);
                return untar(in, root, "tar", budget);
            }
        }
        return bare(source, root, bareFileName);
    }

    /** Whether the file at {@code file} is an archive this class unpacks (rather than a model file). */
    public static boolean isArchive(Path file) throws IOException {
        byte[] head = head(file);
        if (isZip(head)) {
            return FormatDetector.fileFormat(file).isEmpty();
        }
        return isGzip(head) || isBzip2(head) || TarArchiveInputStream.matches(head, head.length);
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(512);
        }
    }

    private Result compressed(Path source, Path root, String bareFileName, boolean gzip)
            throws UnsafeArchiveException {
        String kind = gzip ? "tar.gz" : "tar.bz2";
        UnpackBudget budget = new UnpackBudget(limits);
        try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(source));
             InputStream in = new BufferedInputStream(decompressing(new BufferedInputStream(raw), gzip))) {
            budget.compressedFrom(raw::count);
            in.mark(1024);
            byte[] head = in.readNBytes(512);
            in.reset();
            if (TarArchiveInputStream.matches(head, head.length)) {
                return untar(in, root, kind, budget);
            }
            // A single compressed file (model.onnx.gz): decompress it under its name without the suffix.
            String name = safeBareName(stripCompressionSuffix(bareFileName));
            budget.countEntry();
            budget.copyEntry(in, root.resolve(name), name);
            return new Result(gzip ? "gz" : "bz2", 1, budget.written());
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (EOFException e) {
            throw new UnsafeArchiveException("corrupt or truncated " + kind + " archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UnsafeArchiveException("corrupt " + kind + " archive: " + e.getMessage(), e);
        }
    }

    private static InputStream decompressing(InputStream raw, boolean gzip) throws IOException {
        return gzip ? GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get()
                : new BZip2CompressorInputStream(raw, true);
    }

    private Result bare(Path source, Path root, String bareFileName) throws IOException, UnsafeArchiveException {
        String name = safeBareName(bareFileName);
        long size = Files.size(source);
        if (size > limits.maxBytes()) {
            throw new UnsafeArchiveException("model file of " + size + " bytes is over the limit of "
                    + limits.maxBytes() + " bytes (" + limits.maxBytesSource() + ")");
        }
        Files.move(source, root.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        return new Result("file", 1, size);
    }

    private Result unzip(Path source, Path root) throws UnsafeArchiveException, IOException {
        UnpackBudget budget = new UnpackBudget(limits);
        ExtractionTarget x = new ExtractionTarget(root, budget);
        try (ZipFile zip = ZipFile.builder().setPath(source).get()) {
            List<ZipArchiveEntry> entries = entries(zip);
            long compressedBefore = 0;
            for (ZipArchiveEntry entry : entries) {
                compressedBefore += unzipEntry(zip, entry, x, budget, compressedBefore);
            }
            x.resolveLinks();
            return new Result("zip", budget.entries(), budget.written());
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (IOException | RuntimeException e) {
            throw new UnsafeArchiveException("corrupt zip archive: " + e.getMessage(), e);
        }
    }

    /** The central directory's entries, refused as soon as there are more than the limit allows. */
    private List<ZipArchiveEntry> entries(ZipFile zip) throws UnsafeArchiveException {
        List<ZipArchiveEntry> entries = new ArrayList<>();
        Enumeration<ZipArchiveEntry> e = zip.getEntries();
        while (e.hasMoreElements()) {
            entries.add(e.nextElement());
            if (entries.size() > limits.maxEntries()) {
                throw new UnsafeArchiveException("archive has more than " + limits.maxEntries()
                        + " entries (MAX_ARCHIVE_ENTRIES); refusing it as a possible zip bomb");
            }
        }
        return entries;
    }

    /** Unpacks one zip entry; returns the compressed bytes it read (for the archive's total ratio). */
    private static long unzipEntry(ZipFile zip, ZipArchiveEntry entry, ExtractionTarget x, UnpackBudget budget,
                                   long compressedBefore) throws IOException, UnsafeArchiveException {
        if (entry.isUnixSymlink()) {
            x.link(entry.getName(), zip.getUnixSymlink(entry), true);
            return 0;
        }
        if (entry.isDirectory()) {
            x.directory(entry.getName());
            return 0;
        }
        if (!zip.canReadEntryData(entry)) {
            throw new UnsafeArchiveException("zip entry " + entry.getName()
                    + " uses an unsupported compression method or encryption");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            // Commons Compress counts what each entry's stream read from the archive.
            InputStreamStatistics stats = (InputStreamStatistics) in;
            budget.compressedFrom(() -> compressedBefore + stats.getCompressedCount());
            x.file(entry.getName(), in, entry.getSize());
            return stats.getCompressedCount();
        }
    }

    private static Result untar(InputStream in, Path root, String kind, UnpackBudget budget) throws UnsafeArchiveException {
        ExtractionTarget x = new ExtractionTarget(root, budget);
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isSymbolicLink()) {
                    x.link(entry.getName(), entry.getLinkName(), true);
                } else if (entry.isLink()) {
                    x.link(entry.getName(), entry.getLinkName(), false);
                } else if (entry.isDirectory()) {
                    x.directory(entry.getName());
                } else if (entry.isFile()) {
                    x.file(entry.getName(), tar, entry.getSize());
                } else {
                    throw new UnsafeArchiveException("tar entry " + entry.getName()
                            + " is a device, FIFO or other special file");
                }
            }
            x.resolveLinks();
            return new Result(kind, budget.entries(), budget.written());
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (IOException | RuntimeException e) {
            throw new UnsafeArchiveException("corrupt or truncated " + kind + " archive: " + e.getMessage(), e);
        }
    }

    static boolean isZip(byte[] h) {
        return h.length >= 4 && h[0] == 'P' && h[1] == 'K' && ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6));
    }

    static boolean isGzip(byte[] h) {
        return h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
    }

    static boolean isBzip2(byte[] h) {
        return h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h';
    }

    private static String stripCompressionSuffix(String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        for (String suffix : List.of(".gz", ".bz2")) {
            if (lower.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    /** A base name that cannot climb out of the target, for bare files. */
    static String safeBareName(String name) {
        String n = name == null ? "" : name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (n.isEmpty() || n.startsWith(".")) {
            n = "model" + n;
        }
        return n;
    }

    /** Counts the bytes read from the archive file: the compressed side of the ratio. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
