package com.modelfactory.runtime.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the GPU budget reads: nvidia-smi's answer, device names, the setting; and the pools' bookkeeping. */
class GpuMemoryTest {

    @Test
    void readsNvidiaSmisAnswerAndDeviceNames() {
        assertEquals(12_345L << 20, GpuMemory.parseMiB("12345\n"));
        assertEquals(-1, GpuMemory.parseMiB("NVIDIA-SMI has failed because it couldn't communicate with the driver"));
        assertEquals(-1, GpuMemory.index("cpu"));
        assertEquals(0, GpuMemory.index("cuda:0"));
        assertEquals(3, GpuMemory.index("cuda:3"));
        // no GPU here: -1, never an exception (the charge then falls back to the files)
        assertTrue(GpuMemory.usedBytes(0) >= -1);
    }

    @Test
    void theBudgetIsASettingPerGpu() {
        var c = ConfigLoader.load(new String[] {"--model-repository", "/tmp", "--gpu-memory-budget", "20g"}, Map.of());
        assertEquals(20L << 30, c.repository().gpuMemoryBudget());
        var env = ConfigLoader.load(new String[] {"--model-repository", "/tmp"}, Map.of("GPU_MEMORY_BUDGET", "512m"));
        assertEquals(512L << 20, env.repository().gpuMemoryBudget());
    }

    @Test
    void aPoolKnowsWhichModelsItHolds() {
        MemoryBudget pool = new MemoryBudget(1L << 30, true);
        pool.charge("det", 2, 0, 300L << 20, null);
        assertTrue(pool.holds("det"));
        assertFalse(pool.holds("de"));
        assertEquals(300L << 20, pool.used());
        pool.release("det", 2);
        assertFalse(pool.holds("det"));
    }
}
