package com.modelfactory.runtime.batch;

import static com.modelfactory.runtime.batch.BatchFixtures.MODEL;
import static com.modelfactory.runtime.batch.BatchFixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.lifecycle.ExitCodes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL part-way and then resumed leaves every image recorded exactly once, with the
 * records a single uninterrupted run writes; an unfinished last line is dropped and its image redone.
 */
class BatchResumeTest {
    private static final int IMAGES = 3000;

    @TempDir
    static Path tmp;
    static Path images;
    static Map<String, String> single;

    @BeforeAll
    static void dataset() throws Exception {
        images = tmp.resolve("images");
        BatchFixtures.generated(images, IMAGES, 11);
        BatchFixtures.corruptJpeg(images.resolve("g0/zz-cut.jpg"));
        Path out = tmp.resolve("single.jsonl");
        assertEquals(ExitCodes.imagesFailed(1), batch("--model", MODEL, "--input", images.toString(), "--output",
                out.toString()));
        single = BatchFixtures.records(out);
        assertEquals(IMAGES + 1, single.size());
    }

    @Test
    void killedMidRunThenResumedLosesAndRepeatsNothing() throws Exception {
        Path out = tmp.resolve("killed.jsonl");
        Path log = tmp.resolve("child.log");
        // One image per batch on one worker: slow enough to be killed long before the end.
        Process child = BatchChild.start(log, Map.of(), "--model", MODEL, "--input", images.toString(), "--output",
                out.toString(), "--max-batch-size", "1", "--instances", "1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((!Files.exists(out) || Files.size(out) == 0) && child.isAlive() && System.nanoTime() < deadline) {
            child.waitFor(2, TimeUnit.MILLISECONDS);
        }
        assertTrue(child.isAlive(), "the run ended before it could be killed:\n" + Files.readString(log));
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        long complete = completeLines(out);
        assertTrue(complete > 0 && complete < IMAGES, "killed part-way: " + complete + " complete records");
        if (endsWithNewline(out)) {
            cutLastLineInHalf(out); // as if the kill had come while that record was being written
            complete--;
        }
        assertFalse(endsWithNewline(out));

        int code = batch("--model", MODEL, "--input", images.toString(), "--output", out.toString(), "--resume");
        assertEquals(ExitCodes.imagesFailed(1), code, "the corrupt image counts, whichever run recorded it");
        Map<String, String> resumed = BatchFixtures.records(out); // fails on any path recorded twice
        assertEquals(single.keySet(), resumed.keySet(), "nothing lost");
        assertEquals(single, resumed, "the same records as a single run");
        assertEquals(IMAGES + 1, Files.readAllLines(out).size(), "no partial or extra line left");

        // Resumed again with everything recorded: nothing runs, nothing is added.
        long size = Files.size(out);
        assertEquals(ExitCodes.imagesFailed(1), batch("--model", MODEL, "--input", images.toString(), "--output",
                out.toString(), "--resume"));
        assertEquals(size, Files.size(out));
    }

    @Test
    void withoutResumeTheOutputIsReplaced() throws Exception {
        Path dir = tmp.resolve("few");
        BatchFixtures.fixtureImages(dir);
        Path out = tmp.resolve("replaced.jsonl");
        Files.writeString(out, "{\"path\": \"old\", \"error\": \"from another run\"}\n");
        assertEquals(0, batch("--model", MODEL, "--input", dir.toString(), "--output", out.toString()));
        Map<String, String> records = BatchFixtures.records(out);
        assertEquals(6, records.size());
        assertFalse(records.containsKey("old"));
    }

    @Test
    void aFileThatIsNoRecordFileIsNotResumed() throws Exception {
        Path dir = tmp.resolve("few2");
        BatchFixtures.fixtureImages(dir);
        Path out = tmp.resolve("garbage.jsonl");
        Files.writeString(out, "{\"path\": \"cat32.png\", \"outputs\": {}}\nthis is not json\n");
        assertEquals(ExitCodes.BATCH_IO, batch("--model", MODEL, "--input", dir.toString(), "--output", out.toString(),
                "--resume"));
        assertTrue(Files.readString(out).contains("this is not json"), "the file is left as it was");
    }

    private static long completeLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = 0;
        for (byte b : bytes) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length > 0 && bytes[bytes.length - 1] == '\n';
    }

    private static void cutLastLineInHalf(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int lastStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        int cut = lastStart + (text.length() - lastStart) / 2;
        assertNotEquals(lastStart, cut);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(text.substring(0, cut).getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
