package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The access log under load: at most N lines a second, then the count of those left out, said once. */
class AccessLogSamplerTest {

    @Test
    void capsLinesPerSecondAndReportsWhatItLeftOut() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        AccessLogSampler sampler = new AccessLogSampler(3, now::get);
        for (int i = 0; i < 3; i++) {
            assertTrue(sampler.next().log(), "request " + i + " of the first second");
        }
        for (int i = 0; i < 7; i++) {
            AccessLogSampler.Decision d = sampler.next();
            assertFalse(d.log());
            assertEquals(0, d.leftOutBefore());
        }
        now.addAndGet(1_000_000_000L);
        AccessLogSampler.Decision next = sampler.next();
        assertTrue(next.log(), "a new second logs again");
        assertEquals(7, next.leftOutBefore(), "and first says how many the last one left out");
        assertEquals(0, sampler.next().leftOutBefore(), "said once");
    }

    @Test
    void zeroLogsEveryRequest() {
        AccessLogSampler sampler = new AccessLogSampler(0, () -> 0L);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(sampler.next().log());
        }
    }
}
