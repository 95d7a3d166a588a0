package com.modelfactory.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.GatedModel;
import org.junit.jupiter.api.Test;

class EveryCoreCopyTest {
    @Test
    void aCopyArrivingAfterTheServiceClosedIsClosedAtOnce() {
        EveryCoreCopy copy = new EveryCoreCopy();
        copy.close();
        GatedModel late = GatedModel.dynamic(2);
        copy.arrive(late);
        assertTrue(late.closed());
        assertTrue(copy.model() == null);
    }

    /** The process exits after close: it must not exit while the copy's engine is still setting it up. */
    @Test
    void closingWaitsForACopyStillLoading() throws Exception {
        EveryCoreCopy copy = new EveryCoreCopy();
        Thread closer = closingWhileLoading(copy);
        GatedModel loaded = GatedModel.dynamic(2);
        assertFalse(loaded.closed());
        copy.arrive(loaded);
        closer.join(10_000);
        assertFalse(closer.isAlive());
        assertTrue(loaded.closed());
    }

    @Test
    void aFailedLoadReleasesClose() throws Exception {
        EveryCoreCopy copy = new EveryCoreCopy();
        Thread closer = closingWhileLoading(copy);
        copy.failed();
        closer.join(10_000);
        assertFalse(closer.isAlive());
    }

    /** A copy loading, and a thread closing it that waits for the load. */
    private static Thread closingWhileLoading(EveryCoreCopy copy) {
        copy.loading();
        Thread closer = new Thread(copy::close, "closer");
        closer.start();
        Await.until("close waits for the load", () -> closer.getState() == Thread.State.TIMED_WAITING);
        return closer;
    }
}
