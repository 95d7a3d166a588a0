package com.modelfactory.runtime.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Archives built in memory with Commons Compress, well-formed or hostile, so no binaries are committed. */
public final class TestArchives {
    private TestArchives() {
    }

    /** The legacy store layout: the model's files under model/model/. */
    public static Map<String, byte[]> legacyLayout(String fileName, byte[] content) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("model/", null);
        m.put("model/model/", null);
        m.put("model/model/" + fileName, content);
        return m;
    }

    /** Entries in order; a null value makes a directory entry. */
    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipArchiveEntry entry = new ZipArchiveEntry(e.getKey());
                zip.putArchiveEntry(entry);
                if (e.getValue() != null) {
                    zip.write(e.getValue());
                }
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A zip whose one entry is a symbolic link (unix mode) to {@code target}. */
    public static byte[] zipWithSymlink(String name, String target) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(0120777);
            zip.putArchiveEntry(entry);
            zip.write(target.getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    public static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                putTar(tar, e.getKey(), e.getValue());
            }
        }
        return bytes.toByteArray();
    }

    public static byte[] tar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                putTar(tar, e.getKey(), e.getValue());
            }
        }
        return bytes.toByteArray();
    }

    private static void putTar(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        if (content != null) {
            entry.setSize(content.length);
        }
        tar.putArchiveEntry(entry);
        if (content != null) {
            tar.write(content);
        }
        tar.closeArchiveEntry();
    }

    /** A tar holding a link entry ({@link TarArchiveEntry} symbolic or hard) and then maybe a file. */
    public static byte[] tarWithLink(String linkName, String target, boolean symbolic, String fileName, byte[] file)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            if (fileName != null) {
                putTar(tar, fileName, file);
            }
            TarArchiveEntry link = new TarArchiveEntry(linkName,
                    symbolic ? TarArchiveEntry.LF_SYMLINK : TarArchiveEntry.LF_LINK);
            link.setLinkName(target);
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
