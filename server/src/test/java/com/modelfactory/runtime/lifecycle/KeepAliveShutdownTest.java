package com.modelfactory.runtime.lifecycle;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.RawHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart as clients see it: SIGTERM while keep-alive clients keep sending. Every request a
 * client fully sent gets a response (200 before the drain, 503 or 200 during it), responses during the
 * drain close their connections, and the process exits 0 soon after, leaving no temporary folder.
 */
class KeepAliveShutdownTest {
    private static final int CLIENTS = 32;

    @TempDir
    Path tmp;

    /** What one closed-loop keep-alive client saw. */
    private static final class Tally {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger keptOpenDuringDrain = new AtomicInteger();
        final java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(CLIENTS);
        final java.util.concurrent.atomic.AtomicReference<String> firstLost = new java.util.concurrent.atomic.AtomicReference<>();
    }

    @Test
    void everyRequestSentOnAKeepAliveConnectionIsAnswered() throws Exception {
        byte[] png = Files.readAllBytes(fixture("images/cat32.png"));
        String head = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: " + png.length
                + "\r\n\r\n";
        try (ChildRuntime child = ChildRuntime.start(List.of(), List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp),
                "--model", fixture("onnx/tiny_cnn/model.onnx").toString(), "--drain-timeout-ms", "20000")) {
            child.awaitReady(Duration.ofSeconds(90));
            Tally tally = new Tally();
            AtomicBoolean draining = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(CompletableFuture.runAsync(() -> client(child.port(), head, png, tally, draining), pool));
            }
            // Every client holds its connection before SIGTERM: one still connecting as the port closes sits in
            // the kernel's accept backlog, which any server resets when it closes its listening socket (the
            // deployment's preStop pause keeps new clients away in a rollout). 2-core CI once
            // started a client's thread that late.
            assertTrue(tally.connected.await(60, TimeUnit.SECONDS), "the clients did not all connect");
            awaitAtLeast(tally.answered, CLIENTS * 20);
            draining.set(true);
            child.process().toHandle().destroy(); // SIGTERM
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            pool.shutdownNow();
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the runtime did not exit");
            assertEquals(0, child.process().exitValue(), child.log());
            assertEquals(0, tally.lost.get(), tally.lost + " of " + tally.sent + " requests fully sent got no response; first: " + tally.firstLost.get());
            assertEquals(tally.sent.get(), tally.answered.get());
            assertEquals(0, tally.keptOpenDuringDrain.get(), "a response during the drain did not close its connection");
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("model-runtime"))
                        .toList(), "temporary folders left behind");
            }
        }
    }

    /** Sends requests back to back on one connection, reconnecting when the server closes it, until refused. */
    private static void client(int port, String head, byte[] png, Tally tally, AtomicBoolean draining) {
        boolean connected = false;
        while (true) {
            RawHttp c;
            try {
                c = new RawHttp(port);
            } catch (ConnectException refused) {
                return; // the port is closed: the server is gone, nothing was sent
            } catch (IOException e) {
                return;
            }
            try (c) {
                int onThis = 0;
                while (true) {
                    onThis++;
                    boolean afterSigterm = draining.get();
                    try {
                        c.send(head).send(png);
                    } catch (IOException e) {
                        break; // not fully sent: the connection was already closed
                    }
                    tally.sent.incrementAndGet();
                    RawHttp.Response r;
                    try {
                        r = c.read();
                    } catch (IOException e) {
                        tally.lost.incrementAndGet();
                        tally.firstLost.compareAndSet(null, "request " + onThis + " on its connection, "
                                + (afterSigterm ? "sent after" : "sent before") + " SIGTERM: " + e);
                        break;
                    }
                    tally.answered.incrementAndGet();
                    if (!connected) {
                        connected = true;
                        tally.connected.countDown(); // once per client, whatever its reconnections
                    }
                    boolean close = "close".equalsIgnoreCase(r.header("Connection"));
                    if (afterSigterm && r.status() == 503 && !close) {
                        tally.keptOpenDuringDrain.incrementAndGet();
                    }
                    if (close) {
                        break;
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void awaitAtLeast(AtomicInteger n, int target) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (n.get() < target) {
            assertTrue(System.nanoTime() < end, "the clients did not get going");
            Thread.onSpinWait();
        }
    }

    @Test
    void anIdleSocketDoesNotHoldUpTheExit() throws Exception {
        try (ChildRuntime child = ChildRuntime.start(List.of(), "--model",
                fixture("onnx/tiny_cnn/model.onnx").toString(), "--drain-timeout-ms", "30000")) {
            child.awaitReady(Duration.ofSeconds(90));
            try (RawHttp silent = new RawHttp(child.port()); RawHttp afterOne = new RawHttp(child.port())) {
                assertEquals(200, afterOne.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
                long start = System.nanoTime();
                child.process().toHandle().destroy();
                assertTrue(child.process().waitFor(10, TimeUnit.SECONDS), "no exit after SIGTERM");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(0, child.process().exitValue(), child.log());
                assertTrue(ms < 2000, "exit took " + ms + " ms with idle sockets open; nothing was in flight");
            }
        }
    }
}
