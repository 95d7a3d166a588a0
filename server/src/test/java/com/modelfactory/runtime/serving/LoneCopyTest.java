package com.modelfactory.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.batching.EveryCoreCopy;
import com.modelfactory.runtime.testing.GatedModel;
import com.modelfactory.runtime.testing.TestModels;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A heavy model's every-core copy runs a batch only while no other worker is busy and nothing waits: a lone
 * request gets every core, concurrent ones run side by side on the one-core copy.
 */
class LoneCopyTest {
    @Test
    void aLoneRequestRunsOnTheEveryCoreCopyAConcurrentOneOnTheOneCoreCopy() throws Exception {
        GatedModel oneCore = GatedModel.dynamic(2);
        GatedModel everyCore = GatedModel.dynamic(2);
        ServiceSettings s = new ServiceSettings(1, Duration.ZERO, 16, 2, 1, Duration.ofSeconds(30), 100_000);
        InferenceService service = new InferenceService(oneCore, EveryCoreCopy.of(everyCore), TestModels.info("m", oneCore, s),
                new ModelInputs(oneCore.signature(), null, "not an image model"), s, ServingObserver.NONE);
        service.start();
        try {
            service.infer(GatedModel.input(1, 1, 2)).get(30, TimeUnit.SECONDS);
            assertEquals(1, everyCore.batches().size(), "a lone request runs on every core");
            assertEquals(0, oneCore.batches().size());

            everyCore.hold();
            var first = service.infer(GatedModel.input(2, 1, 2));
            everyCore.awaitEntered(); // the first of the lone request, from the run above: drained below
            everyCore.awaitEntered();
            // one worker is in the every-core copy: the next request runs beside it, on one core
            service.infer(GatedModel.input(3, 1, 2)).get(30, TimeUnit.SECONDS);
            assertEquals(1, oneCore.batches().size(), "a concurrent request runs on the one-core copy");
            everyCore.open();
            first.get(30, TimeUnit.SECONDS);
            assertEquals(2, everyCore.batches().size());
            assertEquals(2, service.loneBatches());
        } finally {
            service.close();
        }
    }

    @Test
    void anEveryCoreCopyArrivingLaterTakesTheLoneBatchesFromThenOnAndClosesWithTheService() throws Exception {
        GatedModel oneCore = GatedModel.dynamic(2);
        GatedModel everyCore = GatedModel.dynamic(2);
        EveryCoreCopy copy = new EveryCoreCopy();
        copy.loading();
        ServiceSettings s = new ServiceSettings(1, Duration.ZERO, 16, 2, 1, Duration.ofSeconds(30), 100_000);
        InferenceService service = new InferenceService(oneCore, copy, TestModels.info("m", oneCore, s),
                new ModelInputs(oneCore.signature(), null, "not an image model"), s, ServingObserver.NONE);
        service.start();
        try {
            service.infer(GatedModel.input(1, 1, 2)).get(30, TimeUnit.SECONDS);
            assertEquals(1, oneCore.batches().size(), "before the copy arrives a lone request runs on one core");
            copy.arrive(everyCore);
            service.infer(GatedModel.input(2, 1, 2)).get(30, TimeUnit.SECONDS);
            assertEquals(1, everyCore.batches().size(), "then on every core");
            assertEquals(1, service.loneBatches());
        } finally {
            copy.failed(); // no-op once it arrived; else close would wait for a load that never ends
            service.close();
        }
        assertTrue(everyCore.closed(), "the copy closes with the service");
    }
}
