package com.modelfactory.runtime.batch.ymir;

import com.modelfactory.runtime.batch.Progress;
import com.modelfactory.runtime.batch.ProgressDisplay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YMIR's {@code monitor.txt} (../shared/YMIR.md section 7): one record, the latest only,
 * {@code <task_id>\t<unix seconds>\t<percent 0..1>\t<state>\t<return code>[\t<message>]} and, after an
 * error, detail lines. Written at the start, at most every progress interval while running, and at the
 * end: percent 1.00 with state 2 (running), since done (3) is the platform's to write once it has
 * imported the results; on failure state 4 with a return code and a message. Each write replaces the
 * file in one rename, so the platform never reads half a record.
 */
public final class MonitorFile implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger(MonitorFile.class);
    static final int RUNNING = 2;
    static final int ERROR = 4;
    /** YMIR keeps lines 2..100 of an error record as its detail. */
    private static final int MAX_DETAIL_LINES = 99;

    private final Path file;
    private final String taskId;
    private final long intervalNanos;
    private long lastWrite;
    private boolean written;

    MonitorFile(Path file, String taskId, Duration interval) {
        this.file = file;
        this.taskId = taskId;
        this.intervalNanos = interval.toNanos();
    }

    /** Percent 0, running. */
    void started() throws IOException {
        write(0, RUNNING, YmirCodes.OK, null, null);
    }

    /** The share of the whole task the image pass is (0.5 when mining follows it: YMIR's halves). */
    private volatile double passShare = 1.0;

    void passIsHalf() {
        passShare = 0.5;
    }

    /** The first half done (infer result written), the second (mining) starting. */
    synchronized void half() throws IOException {
        write(0.5, RUNNING, YmirCodes.OK, null, null);
    }

    @Override
    public synchronized void update(Progress.Snapshot progress) {
        if (written && System.nanoTime() - lastWrite < intervalNanos) {
            return;
        }
        try {
            // Floored: 99.6 % is not yet 1.00, which the platform reads as the end.
            write(Math.min(0.99, Math.floor(progress.fraction() * passShare * 100) / 100), RUNNING, YmirCodes.OK, null,
                    null);
        } catch (IOException e) {
            log.warn("cannot write {}: {}", file, e.getMessage());
        }
    }

    @Override
    public void finish(Progress.Snapshot progress) {
        // The last record is written by finished() or failed(), once the result file is in place.
    }

    /** Percent 1.00, state 2 (the executor's last record; the platform writes done). */
    synchronized void finished() throws IOException {
        write(1, RUNNING, YmirCodes.OK, null, null);
    }

    /** State 4 with a return code, a one-line message and optional detail lines. */
    synchronized void failed(double fraction, int code, String message, String detail) {
        try {
            write(fraction, ERROR, code, message, detail);
        } catch (IOException e) {
            log.error("cannot write {}: {}", file, e.getMessage());
        }
    }

    private void write(double fraction, int state, int code, String message, String detail) throws IOException {
        StringBuilder record = new StringBuilder(String.format(Locale.ROOT, "%s\t%.6f\t%.2f\t%d\t%d", taskId,
                unixSeconds(), fraction, state, code));
        if (message != null) {
            record.append('\t').append(oneLine(message));
        }
        record.append('\n');
        if (detail != null) {
            detail.lines().limit(MAX_DETAIL_LINES).forEach(l -> record.append(l).append('\n'));
        }
        byte[] bytes = record.toString().getBytes(StandardCharsets.UTF_8);
        OutFiles.replace(file, out -> out.write(bytes));
        lastWrite = System.nanoTime();
        written = true;
    }

    private static double unixSeconds() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\t\\r\\n]+", " ").strip();
    }
}
