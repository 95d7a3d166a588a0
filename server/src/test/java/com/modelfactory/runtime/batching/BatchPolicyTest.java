package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batching decisions, without threads or clocks. */
class BatchPolicyTest {
    private final BatchPolicy policy = new BatchPolicy(32, 2_000_000);

    @Test
    void aWorkerTakesItsShareWhenOthersAreIdleAndEverythingWhenAlone() {
        assertEquals(4, policy.cap(8, 2), "two idle workers split eight queued items");
        assertEquals(5, policy.cap(9, 2), "rounded up: nothing is left for a third round");
        assertEquals(1, policy.cap(1, 2));
        assertEquals(32, policy.cap(100, 2), "never above the batch cap");
        assertEquals(32, policy.cap(3, 1), "the only idle worker may fill a whole batch");
        assertEquals(3, new BatchPolicy(8, 0).cap(9, 3));
    }

    @Test
    void aPartialBatchWaitsOnlyUnderLoadAndOnlyWithinTheDelay() {
        assertTrue(policy.waitForMore(3, 8, 2, 1_000), "requests are on their way and time is left");
        assertFalse(policy.waitForMore(3, 8, 0, 1_000),
                "a lone client, or company all in batches already, never pays the delay");
        assertFalse(policy.waitForMore(3, 8, 2, 0), "the delay is over");
        assertFalse(policy.waitForMore(8, 8, 2, 1_000), "a full batch runs at once");
    }

    @Test
    void theModelsBatchDimensionLimitsTheBatch() {
        assertEquals(16, BatchPolicy.maxItems(signature(-1, true), 16), "dynamic: as configured");
        assertEquals(4, BatchPolicy.maxItems(signature(4, true), 16), "fixed at 4: capped");
        assertEquals(1, BatchPolicy.maxItems(signature(1, false), 16), "no batch dimension: one at a time");
        assertEquals(4, BatchPolicy.padTo(signature(4, true)), "a fixed batch dimension is padded to");
        assertEquals(0, BatchPolicy.padTo(signature(-1, true)), "a dynamic one is not");
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BatchPolicy(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchPolicy(1, -1));
    }

    private static Signature signature(long first, boolean batched) {
        TensorSpec x = new TensorSpec("x", DataType.FP32, new long[] {first, 3});
        return new Signature(List.of(x), List.of(x), batched, batched && first > 0 ? first : 0);
    }
}
