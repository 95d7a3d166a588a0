package com.modelfactory.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.config.Threading;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a batch run changes in the serving settings: no request deadline, the throughput layout. */
class BatchModelTest {
    private static final String[] MODEL = {"--model", "m.onnx"};

    @Test
    void automaticThreadingKeepsTheThroughputLayoutAndRequestsHaveNoDeadline() {
        RuntimeConfig c = ConfigLoader.load(MODEL, Map.of());
        RuntimeConfig.BatchingSettings run = BatchModel.forBatchRun(c).batching();
        Threading served = c.batching().threading();
        assertFalse(run.threading().automatic(), "a batch run never reloads a model for a lone request");
        assertEquals(served.light(), run.threading().light());
        assertEquals(served.light(), run.threading().heavy());
        assertEquals(Duration.ofDays(1), run.requestTimeout());
    }

    @Test
    void configuredThreadingIsKept() {
        RuntimeConfig c = ConfigLoader.load(MODEL, Map.of("INSTANCES", "1", "INTRA_OP_THREADS", "3"));
        Threading run = BatchModel.forBatchRun(c).batching().threading();
        assertEquals(new Threading.Layout(1, 3), run.heavy());
        assertEquals(c.batching().threading(), run);
    }
}
