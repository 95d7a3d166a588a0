package com.modelfactory.runtime.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Zip bombs written by the tests themselves, streaming, so none is committed: one honest zip entry (right
 * sizes and CRC) of {@code n} MiB of zeros in about a thousandth of that.
 */
final class ZipBombs {
    private static final int MIB = 1 << 20;

    private ZipBombs() {
    }

    /** Writes {@code file}: a zip whose entry {@code name} inflates to {@code mebibytes} MiB of zeros. */
    static void zeros(Path file, String name, long mebibytes) throws IOException {
        // One MiB of zeros deflated from an empty window and sync-flushed ends on a byte boundary and refers
        // back only into itself: the same bytes repeated are a valid deflate stream of that many MiB.
        byte[] chunk = deflate(new byte[MIB], Deflater.SYNC_FLUSH);
        byte[] end = deflate(new byte[0], Deflater.FULL_FLUSH, true);
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setMethod(ZipEntry.DEFLATED);
        entry.setSize(mebibytes * MIB);
        entry.setCompressedSize(chunk.length * mebibytes + end.length);
        entry.setCrc(crcOfZeros(mebibytes));
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
            zip.setUseZip64(Zip64Mode.AsNeeded);
            zip.addRawArchiveEntry(entry, new Repeated(chunk, mebibytes, end));
        }
    }

    private static byte[] deflate(byte[] input, int flush) {
        return deflate(input, flush, false);
    }

    private static byte[] deflate(byte[] input, int flush, boolean finish) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(input);
            if (finish) {
                d.finish();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = d.deflate(buf, 0, buf.length, flush)) > 0) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static long crcOfZeros(long mebibytes) {
        CRC32 crc = new CRC32();
        byte[] zeros = new byte[MIB];
        for (long i = 0; i < mebibytes; i++) {
            crc.update(zeros);
        }
        return crc.getValue();
    }

    /** {@code chunk} {@code times} times, then {@code end}, without holding more than one copy. */
    private static final class Repeated extends InputStream {
        private final byte[] chunk;
        private final byte[] end;
        private long left;
        private byte[] current;
        private int pos;

        Repeated(byte[] chunk, long times, byte[] end) {
            this.chunk = chunk;
            this.end = end;
            this.left = times;
            next();
        }

        private void next() {
            current = left-- > 0 ? chunk : left == -1 ? end : null;
            pos = 0;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            while (current != null && pos == current.length) {
                next();
            }
            if (current == null) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
