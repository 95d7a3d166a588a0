package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.format.FormatDetector;
import com.modelfactory.runtime.engine.ModelFormat;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks zip, tar, tar.gz/tgz and tar.bz2 (by content, not by name) with Apache Commons Compress, or
 * takes a bare model file as it is. Every entry name is checked before anything is written: absolute paths,
 * {@code ..} segments and links pointing outside the target are refused, and so are archives with more
 * entries or more unpacked bytes than the limits (counted on the bytes actually written, not on what the
 * headers claim). Links inside the archive are materialised as copies, so no symbolic link is ever created
 * that a later entry could write through. The caller unpacks into a fresh temporary folder and deletes it
 * on failure: a refused archive leaves nothing behind.
 */
public final class ArchiveUnpacker {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveUnpacker.class);

    /** @param maxEntries at most this many entries; @param maxBytes at most this many bytes unpacked */
    public record Limits(int maxEntries, long maxBytes) {
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
        byte[] head;
        try (InputStream in = Files.newInputStream(source)) {
            head = in.readNBytes(512);
        }
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
            try (InputStream in = new BufferedInputStream(Files.newInputStream(source))) {
                return untar(in, root, "tar");
            }
        }
        return bare(source, root, bareFileName);
    }

    /** Whether the file at {@code file} is an archive this class unpacks (rather than a model file). */
    public static boolean isArchive(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (isZip(head)) {
            return FormatDetector.fileFormat(file).isEmpty();
        }
        return isGzip(head) || isBzip2(head) || TarArchiveInputStream.matches(head, head.length);
    }

    private Result compressed(Path source, Path root, String bareFileName, boolean gzip)
            throws UnsafeArchiveException {
        String kind = gzip ? "tar.gz" : "tar.bz2";
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(source));
             InputStream in = new BufferedInputStream(gzip
                     ? GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get()
                     : new BZip2CompressorInputStream(raw, true))) {
            in.mark(1024);
            byte[] head = in.readNBytes(512);
            in.reset();
            if (TarArchiveInputStream.matches(head, head.length)) {
                return untar(in, root, kind);
            }
            // A single compressed file (model.onnx.gz): decompress it under its name without the suffix.
            String name = safeBareName(stripCompressionSuffix(bareFileName));
            Path out = root.resolve(name);
            long bytes = copyLimited(in, out, 0, name);
            return new Result(gzip ? "gz" : "bz2", 1, bytes);
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (EOFException e) {
            throw new UnsafeArchiveException("corrupt or truncated " + kind + " archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UnsafeArchiveException("corrupt " + kind + " archive: " + e.getMessage(), e);
        }
    }

    private Result bare(Path source, Path root, String bareFileName) throws IOException, UnsafeArchiveException {
        String name = safeBareName(bareFileName);
        long size = Files.size(source);
        if (size > limits.maxBytes()) {
            throw new UnsafeArchiveException("model file of " + size + " bytes is over the limit of "
                    + limits.maxBytes() + " bytes (MAX_UNPACKED_BYTES)");
        }
        Files.move(source, root.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        return new Result("file", 1, size);
    }

    private Result unzip(Path source, Path root) throws UnsafeArchiveException, IOException {
        Extraction x = new Extraction(root);
        try (ZipFile zip = ZipFile.builder().setPath(source).get()) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            Enumeration<ZipArchiveEntry> e = zip.getEntries();
            while (e.hasMoreElements()) {
                entries.add(e.nextElement());
                if (entries.size() > limits.maxEntries()) {
                    throw tooManyEntries();
                }
            }
            for (ZipArchiveEntry entry : entries) {
                if (entry.isUnixSymlink()) {
                    x.link(entry.getName(), zip.getUnixSymlink(entry), true);
                } else if (entry.isDirectory()) {
                    x.directory(entry.getName());
                } else {
                    if (!zip.canReadEntryData(entry)) {
                        throw new UnsafeArchiveException("zip entry " + entry.getName()
                                + " uses an unsupported compression method or encryption");
                    }
                    try (InputStream in = zip.getInputStream(entry)) {
                        x.file(entry.getName(), in, entry.getSize());
                    }
                }
            }
            x.resolveLinks();
            return new Result("zip", x.entries, x.bytes);
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (IOException | RuntimeException e) {
            throw new UnsafeArchiveException("corrupt zip archive: " + e.getMessage(), e);
        }
    }

    private Result untar(InputStream in, Path root, String kind) throws UnsafeArchiveException {
        Extraction x = new Extraction(root);
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
            return new Result(kind, x.entries, x.bytes);
        } catch (UnsafeArchiveException u) {
            throw u;
        } catch (IOException | RuntimeException e) {
            throw new UnsafeArchiveException("corrupt or truncated " + kind + " archive: " + e.getMessage(), e);
        }
    }

    /** The state of one extraction: counts, and links waiting for their targets. */
    private final class Extraction {
        private final Path root;
        private final List<Path[]> pendingLinks = new ArrayList<>();
        int entries;
        long bytes;

        Extraction(Path root) {
            this.root = root;
        }

        void directory(String name) throws IOException, UnsafeArchiveException {
            Optional<Path> dest = destination(name);
            if (dest.isPresent()) {
                Files.createDirectories(dest.get());
            }
        }

        void file(String name, InputStream in, long declaredSize) throws IOException, UnsafeArchiveException {
            Optional<Path> dest = destination(name);
            if (dest.isEmpty()) {
                return;
            }
            if (declaredSize > 0 && bytes + declaredSize > limits.maxBytes()) {
                throw tooManyBytes(name);
            }
            Files.createDirectories(dest.get().getParent());
            bytes = copyLimited(in, dest.get(), bytes, name);
        }

        /** Symbolic links resolve against the link's folder; hard links (tar) name another entry. */
        void link(String name, String linkTarget, boolean symbolic) throws IOException, UnsafeArchiveException {
            Optional<Path> dest = destination(name);
            if (dest.isEmpty()) {
                return;
            }
            if (linkTarget == null || linkTarget.isEmpty()) {
                throw new UnsafeArchiveException("link " + name + " has no target");
            }
            String t = linkTarget.replace('\\', '/');
            if (isAbsolute(t)) {
                throw new UnsafeArchiveException("link " + name + " points to the absolute path " + linkTarget);
            }
            Path resolved = (symbolic ? dest.get().getParent() : root).resolve(t).normalize();
            if (!resolved.startsWith(root) || resolved.equals(root)) {
                throw new UnsafeArchiveException("link " + name + " -> " + linkTarget + " points outside the archive");
            }
            pendingLinks.add(new Path[] {dest.get(), resolved});
        }

        /** Copies each link's target in its place, links to links included; a missing target is refused. */
        void resolveLinks() throws IOException, UnsafeArchiveException {
            boolean progress = true;
            while (!pendingLinks.isEmpty() && progress) {
                progress = false;
                for (Iterator<Path[]> it = pendingLinks.iterator(); it.hasNext(); ) {
                    Path[] link = it.next();
                    if (Files.exists(link[1], LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(link[0].getParent());
                        copyTree(link[1], link[0]);
                        it.remove();
                        progress = true;
                    }
                }
            }
            if (!pendingLinks.isEmpty()) {
                throw new UnsafeArchiveException("link " + root.relativize(pendingLinks.get(0)[0]) + " -> "
                        + root.relativize(pendingLinks.get(0)[1]) + " points to nothing in the archive");
            }
        }

        private void copyTree(Path from, Path to) throws IOException, UnsafeArchiveException {
            if (to.startsWith(from)) {
                throw new UnsafeArchiveException("link " + root.relativize(to) + " points to a folder containing it");
            }
            if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(to);
                try (Stream<Path> children = Files.list(from)) {
                    for (Path c : (Iterable<Path>) children::iterator) {
                        countEntry(c.toString());
                        copyTree(c, to.resolve(c.getFileName().toString()));
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = copyLimited(in, to, bytes, root.relativize(to).toString());
                }
            }
        }

        /** Where an entry goes, or empty for noise that is not written (__MACOSX, AppleDouble ._ files). */
        private Optional<Path> destination(String rawName) throws UnsafeArchiveException {
            countEntry(rawName);
            String name = rawName.replace('\\', '/');
            if (isAbsolute(name)) {
                throw new UnsafeArchiveException("archive entry " + rawName + " has an absolute path");
            }
            List<String> parts = new ArrayList<>();
            for (String part : name.split("/")) {
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    throw new UnsafeArchiveException("archive entry " + rawName + " escapes the target folder (..)");
                }
                if (part.indexOf('\0') >= 0) {
                    throw new UnsafeArchiveException("archive entry " + rawName + " has a NUL character in its name");
                }
                parts.add(part);
            }
            if (parts.isEmpty()) {
                return Optional.empty(); // "./" itself
            }
            for (String part : parts) {
                if (part.equals("__MACOSX") || part.startsWith("._")) {
                    return Optional.empty();
                }
            }
            Path dest = root.resolve(String.join("/", parts)).normalize();
            if (!dest.startsWith(root)) {
                throw new UnsafeArchiveException("archive entry " + rawName + " escapes the target folder");
            }
            return Optional.of(dest);
        }

        private void countEntry(String name) throws UnsafeArchiveException {
            if (++entries > limits.maxEntries()) {
                throw tooManyEntries();
            }
        }
    }

    /** Copies at most up to the byte limit; returns the new running total. */
    private long copyLimited(InputStream in, Path dest, long soFar, String name) throws IOException, UnsafeArchiveException {
        long total = soFar;
        byte[] buf = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limits.maxBytes()) {
                    throw tooManyBytes(name);
                }
                out.write(buf, 0, n);
            }
        } catch (FileAlreadyExistsException e) {
            throw new UnsafeArchiveException("archive entry " + name + " collides with an existing path");
        }
        return total;
    }

    private UnsafeArchiveException tooManyEntries() {
        return new UnsafeArchiveException("archive has more than " + limits.maxEntries()
                + " entries (MAX_ARCHIVE_ENTRIES); refusing it as a possible zip bomb");
    }

    private UnsafeArchiveException tooManyBytes(String name) {
        return new UnsafeArchiveException("archive unpacks to more than " + limits.maxBytes()
                + " bytes (MAX_UNPACKED_BYTES, reached at " + name + "); refusing it as a possible zip bomb");
    }

    private static boolean isAbsolute(String name) {
        return name.startsWith("/") || name.matches("^[A-Za-z]:.*");
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
}
