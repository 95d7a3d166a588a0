package com.modelfactory.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(20);

    @Test
    void anUnansweredRequestFailsAtItsDeadlineAndAnAnsweredOneKeepsItsAnswer() throws Exception {
        try (Deadlines d = new Deadlines(TIMEOUT, () -> new IllegalStateException("expired"), "test-deadlines")) {
            CompletableFuture<String> answered = new CompletableFuture<>();
            CompletableFuture<String> slow = new CompletableFuture<>();
            d.track(answered, System.nanoTime() + TIMEOUT);
            d.track(slow, System.nanoTime() + TIMEOUT);
            answered.complete("ok");
            Await.until("the slow request expires", slow::isDone);
            assertTrue(slow.isCompletedExceptionally());
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, slow::get);
            assertEquals("expired", e.getCause().getMessage());
            assertEquals("ok", answered.get());
        }
    }

    @Test
    void requestsBehindAnAnsweredOneStillExpireInOrder() {
        try (Deadlines d = new Deadlines(TIMEOUT, () -> new IllegalStateException("expired"), "test-deadlines")) {
            List<CompletableFuture<String>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                CompletableFuture<String> f = new CompletableFuture<>();
                d.track(f, System.nanoTime() + TIMEOUT);
                all.add(f);
                if (i % 2 == 0) {
                    f.complete("answered");
                }
            }
            Await.until("every unanswered request expires", () -> all.stream().allMatch(CompletableFuture::isDone));
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i % 2 != 0, all.get(i).isCompletedExceptionally(), "request " + i);
            }
        }
    }

    @Test
    void aRequestTrackedAfterAnIdleSpellIsStillFailed() throws Exception {
        try (Deadlines d = new Deadlines(TIMEOUT, () -> new IllegalStateException("expired"), "test-deadlines")) {
            CompletableFuture<String> first = new CompletableFuture<>();
            d.track(first, System.nanoTime() + TIMEOUT);
            Await.until("the first expires", first::isDone);
            CompletableFuture<String> later = new CompletableFuture<>();
            d.track(later, System.nanoTime() + TIMEOUT);
            Await.until("the later one expires too", later::isDone);
            assertTrue(later.isCompletedExceptionally());
            assertFalse(first.isCancelled());
        }
    }
}
