package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output file's resume reading, its unfinished last line, and its lock. */
class ResultFileTest {
    @TempDir
    Path tmp;

    @Test
    void resumeReadsTheRecordsAndCutsAnUnfinishedLastLine() throws Exception {
        Path out = tmp.resolve("out.jsonl");
        Files.writeString(out, RecordJson.error("a.png", "bad") + "\n" + RecordJson.topK("b.png", java.util.List.of())
                + "\n{\"path\":\"c.png\",\"top_k\":[{\"ind");
        try (ResultFile f = ResultFile.open(out, true)) {
            assertEquals(Set.of("a.png", "b.png"), f.recorded());
            assertTrue(f.failedBefore("a.png"));
            assertFalse(f.failedBefore("b.png"));
            assertFalse(f.has("c.png"), "the unfinished record does not count");
            f.write(RecordJson.error("c.png", "again"));
        }
        assertEquals(3, BatchFixtures.records(out).size());
        assertTrue(Files.readString(out).endsWith("\"again\"}\n"));
    }

    @Test
    void twoRunsCannotWriteOneFile() throws Exception {
        Path out = tmp.resolve("locked.jsonl");
        try (ResultFile first = ResultFile.open(out, false)) {
            IOException e = assertThrows(IOException.class, () -> ResultFile.open(out, true));
            assertTrue(e.getMessage().contains("another batch run"), e.getMessage());
        }
        ResultFile.open(out, true).close(); // released with the first
    }
}
