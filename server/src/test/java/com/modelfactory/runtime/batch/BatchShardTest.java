package com.modelfactory.runtime.batch;

import static com.modelfactory.runtime.batch.BatchFixtures.MODEL;
import static com.modelfactory.runtime.batch.BatchFixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shards of the sorted input cover it exactly once, and their part files merge into a single run's records. */
class BatchShardTest {
    @TempDir
    Path tmp;

    @Test
    void threeShardsCoverTheInputOnceAndTheirUnionIsASingleRun() throws Exception {
        Path images = tmp.resolve("images");
        BatchFixtures.fixtureImages(images);
        BatchFixtures.generated(images, 200, 3);
        BatchFixtures.corruptJpeg(images.resolve("g3/cut.jpg"));
        Path whole = tmp.resolve("single.jsonl");
        assertEquals(ExitCodes.imagesFailed(1), batch("--model", MODEL, "--input", images.toString(), "--output",
                whole.toString(), "--top-k", "5"));
        Map<String, String> single = BatchFixtures.records(whole);
        assertEquals(207, single.size());

        Map<String, String> union = new HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        int failedCodes = 0;
        for (int i = 0; i < 3; i++) {
            Path part = tmp.resolve("part-" + i + ".jsonl");
            // Shard 0 by --shard, shards 1 and 2 as pods of an Indexed Job see them.
            int code = i == 0
                    ? batch("--model", MODEL, "--input", images.toString(), "--output", part.toString(), "--top-k", "5",
                            "--shard", "0/3")
                    : batch(Map.of("JOB_COMPLETION_INDEX", Integer.toString(i), "JOB_COMPLETIONS", "3"), "--model", MODEL,
                            "--input", images.toString(), "--output", part.toString(), "--top-k", "5");
            failedCodes += code == ExitCodes.imagesFailed(1) ? 1 : 0;
            assertTrue(code == 0 || code == ExitCodes.imagesFailed(1), "shard " + i + " exited " + code);
            Map<String, String> records = BatchFixtures.records(part);
            sizes.add(records.size());
            for (Map.Entry<String, String> e : records.entrySet()) {
                assertEquals(null, union.put(e.getKey(), e.getValue()), e.getKey() + " is in two shards");
            }
        }
        assertEquals(1, failedCodes, "the shard with the corrupt image says so");
        assertEquals(single, union, "the part files together are the single run");
        assertEquals(List.of(69, 69, 69), sizes, "strided shards are equal in size");
    }

    @Test
    void everyItemIsInExactlyOneShardWhateverN() {
        List<InputItem> sorted = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            sorted.add(new InputItem(String.format("%03d", i), Path.of("x")));
        }
        for (int n = 1; n <= 8; n++) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                for (InputItem item : Shards.select(sorted, new RuntimeConfig.Shard(i, n))) {
                    assertTrue(seen.add(item.key()), item.key() + " twice with N=" + n);
                    assertEquals(i, Integer.parseInt(item.key()) % n, "item k is in shard k mod N");
                }
            }
            assertEquals(101, seen.size());
        }
    }
}
