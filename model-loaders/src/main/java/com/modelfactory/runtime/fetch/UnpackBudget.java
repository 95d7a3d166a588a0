package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * What one unpacking may still write, counted as bytes are written and checked before each write, so an
 * archive is refused the moment it crosses a limit: entries, total bytes, and the compression ratio of
 * each entry and of the archive as a whole (once more than {@link ArchiveUnpacker#RATIO_CHECKED_FROM}
 * bytes were written: small files compress well without being bombs).
 */
final class UnpackBudget {
    private static final int BUFFER = 64 * 1024;

    private final ArchiveUnpacker.Limits limits;
    /** Bytes read from the archive so far (compressed), monotonic over the whole archive. */
    private LongSupplier compressedRead = () -> 0;
    private int entries;
    private long written;

    UnpackBudget(ArchiveUnpacker.Limits limits) {
        this.limits = limits;
    }

    /** Where compressed bytes read so far come from (the raw archive stream, or zip entry statistics). */
    void compressedFrom(LongSupplier compressedRead) {
        this.compressedRead = compressedRead;
    }

    int entries() {
        return entries;
    }

    long written() {
        return written;
    }

    void countEntry() throws UnsafeArchiveException {
        if (++entries > limits.maxEntries()) {
            throw new UnsafeArchiveException("archive has more than " + limits.maxEntries()
                    + " entries (MAX_ARCHIVE_ENTRIES); refusing it as a possible zip bomb");
        }
    }

    /** Refuses an entry whose header already says it does not fit (the bytes written are still counted). */
    void declared(String name, long declaredSize) throws UnsafeArchiveException {
        if (declaredSize > 0 && written + declaredSize > limits.maxBytes()) {
            throw tooManyBytes(name);
        }
    }

    /** A file's bytes from the archive: the per-entry ratio counts against what this entry read. */
    void copyEntry(InputStream in, Path dest, String name) throws IOException, UnsafeArchiveException {
        copy(in, dest, name, true);
    }

    /** A copy of a file already unpacked (a link materialised): only the totals count. */
    void copyLinked(InputStream in, Path dest, String name) throws IOException, UnsafeArchiveException {
        copy(in, dest, name, false);
    }

    private void copy(InputStream in, Path dest, String name, boolean fromArchive)
            throws IOException, UnsafeArchiveException {
        long compressedAtStart = compressedRead.getAsLong();
        long entryWritten = 0;
        byte[] buf = new byte[BUFFER];
        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                entryWritten += n;
                long entryCompressed = fromArchive ? compressedRead.getAsLong() - compressedAtStart : -1;
                check(name, written + n, entryWritten, entryCompressed);
                out.write(buf, 0, n);
                written += n;
            }
        } catch (FileAlreadyExistsException e) {
            throw new UnsafeArchiveException("archive entry " + name + " collides with an existing path");
        }
    }

    /** Refuses the write that would take the totals or this entry past a limit. */
    private void check(String name, long totalAfter, long entryAfter, long entryCompressed) throws UnsafeArchiveException {
        if (totalAfter > limits.maxBytes()) {
            throw tooManyBytes(name);
        }
        long ratio = limits.maxRatio();
        if (entryCompressed >= 0 && entryAfter > ArchiveUnpacker.RATIO_CHECKED_FROM && entryAfter > ratio * entryCompressed) {
            throw tooCompressed("archive entry " + name, entryAfter, entryCompressed);
        }
        long compressed = compressedRead.getAsLong();
        if (totalAfter > ArchiveUnpacker.RATIO_CHECKED_FROM && totalAfter > ratio * compressed) {
            throw tooCompressed("the archive (at " + name + ")", totalAfter, compressed);
        }
    }

    private UnsafeArchiveException tooManyBytes(String name) {
        return new UnsafeArchiveException("archive unpacks to more than " + limits.maxBytes() + " bytes ("
                + limits.maxBytesSource() + ", reached at " + name + "); refusing it as a possible zip bomb");
    }

    private UnsafeArchiveException tooCompressed(String what, long inflated, long compressed) {
        return new UnsafeArchiveException(what + " inflates to more than " + limits.maxRatio()
                + " times its compressed size (" + inflated + " bytes from " + compressed
                + " compressed; MAX_COMPRESSION_RATIO=" + limits.maxRatio() + "); refusing it as a possible zip bomb");
    }
}
