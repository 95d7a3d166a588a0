package com.modelfactory.runtime.fetch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * {@code min(max, initial * 2^(n-1))}, so restarting replicas do not hit the store in lockstep.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    Duration backoffBeforeRetry(int retry) {
        long initial = initialBackoff.toMillis();
        if (initial <= 0) {
            return Duration.ZERO;
        }
        long capped = Math.min(maxBackoff.toMillis(), initial << Math.min(retry - 1, 30));
        long half = capped / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
    }

    /** HTTP statuses worth another attempt: server errors, and 408/429, which ask for one. */
    static boolean retryableStatus(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
