package com.modelfactory.runtime.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON Lines output: one record per line, appended as images complete. With resume the records
 * already there are read first (path, and whether it failed) and a last line without its newline, the
 * mark of a killed run, is cut off, so that image is run again: nothing is lost and nothing repeated.
 * The file is locked while it is written, so two runs cannot interleave records in one file.
 */
public final class ResultFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultFile.class);
    /** Numbers written in the shortest form that reads back the same, as /predict writes them. */
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final BufferedWriter writer;
    /** Records present at start: key -> whether that image failed. */
    private final Map<String, Boolean> previous;

    private ResultFile(Path path, FileChannel channel, FileLock lock, Map<String, Boolean> previous) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.previous = previous;
        this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                StandardCharsets.UTF_8), 1 << 16);
    }

    /** Opens {@code path} for appending records; without {@code resume} an existing file is replaced. */
    public static ResultFile open(Path path, boolean resume) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = lock(channel, path);
            Map<String, Boolean> previous = new HashMap<>();
            if (resume) {
                cutUnfinishedLine(path, channel);
                previous = read(path);
            } else if (channel.size() > 0) {
                log.info("{} exists and is replaced (--resume keeps its records)", path);
                channel.truncate(0);
            }
            channel.position(channel.size());
            return new ResultFile(path, channel, lock, previous);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FileLock lock(FileChannel channel, Path path) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException inThisProcess) {
            lock = null;
        } catch (IOException unsupported) {
            // Some network file systems have no locks; the run goes on without one.
            log.warn("{} cannot be locked ({}); make sure no other run writes it", path, unsupported.getMessage());
            return null;
        }
        if (lock == null) {
            throw new IOException("another batch run is writing " + path + " (give each run, each shard, its own --output)");
        }
        return lock;
    }

    /** A killed run may leave a last line without its newline: cut it, so that image runs again. */
    static void cutUnfinishedLine(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return;
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            long end = size;
            while (end > 0) {
                file.seek(end - 1);
                if (file.read() == '\n') {
                    break;
                }
                end--;
            }
            if (end < size) {
                log.info("{}: the last line is unfinished ({} bytes, a run was stopped while writing it) and is "
                        + "dropped; its image runs again", path, size - end);
                channel.truncate(end);
            }
        }
    }

    private static Map<String, Boolean> read(Path path) throws IOException {
        Map<String, Boolean> records = new HashMap<>();
        int number = 0;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Record rec = parse(line);
                if (rec == null) {
                    throw new IOException(path + " line " + number + " is not a batch record (a JSON object with "
                            + "\"path\"); remove it or start without --resume");
                }
                records.put(rec.key(), rec.failed());
            }
        }
        return records;
    }

    private record Record(String key, boolean failed) {
    }

    /** The path of a record line and whether it is an error record; null when the line is no record. */
    static Record parse(String line) {
        String key = null;
        boolean failed = false;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("path") && value == JsonToken.VALUE_STRING) {
                    key = p.getText();
                } else if (field.equals("error")) {
                    failed = true;
                }
                p.skipChildren();
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (IOException malformed) {
            return null;
        }
        return key == null ? null : new Record(key, failed);
    }

    /** Keys recorded before this run. */
    public Set<String> recorded() {
        return previous.keySet();
    }

    /** Whether {@code key} has a record from before this run. */
    public boolean has(String key) {
        return previous.containsKey(key);
    }

    /** Whether {@code key}'s record from before this run is an error record. */
    public boolean failedBefore(String key) {
        return Boolean.TRUE.equals(previous.get(key));
    }

    public Path path() {
        return path;
    }

    /** Appends one record (one line, no newline in it). Called from one thread at a time. */
    public synchronized void write(String record) throws IOException {
        writer.write(record);
        writer.write('\n');
    }

    /** Hands the records written so far to the operating system: a killed process keeps them. */
    public synchronized void flush() throws IOException {
        writer.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            writer.flush();
            channel.force(false);
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } finally {
            writer.close();
        }
    }
}
