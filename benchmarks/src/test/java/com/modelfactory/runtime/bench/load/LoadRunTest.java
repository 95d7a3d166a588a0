package com.modelfactory.runtime.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness smoke test: the driver against a loopback stub, well under a few seconds. */
class LoadRunTest {

    @Test
    void keepAliveRunCountsEveryAnsweredRequestOnOneConnectionPerClient() throws Exception {
        try (StubServer stub = new StubServer(0, 200, false)) {
            LoadResult r = run(stub, 4);
            assertTrue(r.requests() > 0, "no request was measured");
            assertEquals(0, r.errors(), () -> "errors: " + r.statusCounts());
            assertEquals(r.requests(), r.statusCounts().get("200"));
            assertEquals(4, r.connects(), "a keep-alive client opens one connection");
            // The stub also served the warm-up, which the result leaves out.
            assertTrue(stub.served() >= r.requests());
            assertEquals(r.requests(), r.raw().getTotalCount());
            assertTrue(r.corrected().getTotalCount() >= r.raw().getTotalCount());
            assertTrue(r.toJson().contains("\"throughput_rps\""));
        }
    }

    @Test
    void serverThatClosesEachConnectionIsFollowedByReconnecting() throws Exception {
        try (StubServer stub = new StubServer(0, 200, true)) {
            LoadResult r = run(stub, 2);
            assertTrue(r.requests() > 0);
            assertEquals(0, r.errors(), () -> "errors: " + r.statusCounts());
            assertTrue(r.connects() >= r.requests(), "one connection per request with Connection: close");
        }
    }

    @Test
    void non2xxAnswersAreCountedAsErrorsByStatus() throws Exception {
        try (StubServer stub = new StubServer(0, 503, false)) {
            LoadResult r = run(stub, 2);
            assertTrue(r.requests() > 0);
            assertEquals(r.requests(), r.errors());
            assertEquals(r.requests(), r.statusCounts().get("503"));
        }
    }

    @Test
    void refusedConnectionsAreErrorsNotCrashes() throws Exception {
        int port;
        try (StubServer stub = new StubServer(0, 200, false)) {
            port = stub.port();
        }
        LoadRun run = new LoadRun("refused", URI.create("http://127.0.0.1:" + port + "/x"), "GET", null, List.of(),
                1, Duration.ZERO, Duration.ofMillis(200));
        LoadResult r = run.run();
        assertTrue(r.requests() > 0);
        assertEquals(r.requests(), r.errors());
    }

    private static LoadResult run(StubServer stub, int concurrency) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + stub.port() + "/predict");
        List<byte[]> bodies = List.of("a".repeat(3000).getBytes(StandardCharsets.US_ASCII),
                "b".getBytes(StandardCharsets.US_ASCII));
        return new LoadRun("stub", uri, "POST", "application/octet-stream", bodies, concurrency,
                Duration.ofMillis(200), Duration.ofMillis(500)).run();
    }
}
