package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.config.RuntimeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Shard i of N of the sorted input: the items at positions i, i+N, i+2N, ... Strided rather than
 * contiguous, so shards stay within one image of each other in size and a folder of large images at
 * one end of the sort order does not land on one pod. Every item is in exactly one shard.
 */
public final class Shards {
    private Shards() {
    }

    public static List<InputItem> select(List<InputItem> sorted, RuntimeConfig.Shard shard) {
        if (shard.all()) {
            return sorted;
        }
        List<InputItem> mine = new ArrayList<>(sorted.size() / shard.count() + 1);
        for (int i = shard.index(); i < sorted.size(); i += shard.count()) {
            mine.add(sorted.get(i));
        }
        return mine;
    }
}
