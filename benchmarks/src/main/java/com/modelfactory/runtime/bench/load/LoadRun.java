package com.modelfactory.runtime.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load run: {@code concurrency} clients, each on its own keep-alive connection, send a
 * request as soon as the previous answer arrived. A warm-up phase is run and thrown away, then the
 * measured phase records every latency into HdrHistograms.
 *
 * <p>Coordinated omission: a closed loop stops sending while the server stalls, so the stall is seen
 * by one request instead of by all those that would have been sent meanwhile. Each client therefore
 * also records into a corrected histogram with an expected interval equal to its own mean latency in
 * the warm-up (the pace it kept while the server was healthy); HdrHistogram back-fills the missing
 * samples for any response slower than that.
 */
public final class LoadRun {
    private final String label;
    private final URI uri;
    private final List<byte[]> requests;
    private final int concurrency;
    private final Duration warmup;
    private final Duration measured;

    /**
     * @param bodies one request body per distinct input; clients rotate through them, each starting at
     *               a different one
     */
    public LoadRun(String label, URI uri, String method, String contentType, List<byte[]> bodies,
                   int concurrency, Duration warmup, Duration measured) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
        this.label = label;
        this.uri = uri;
        this.concurrency = concurrency;
        this.warmup = warmup;
        this.measured = measured;
        List<byte[]> encoded = new ArrayList<>();
        if (bodies.isEmpty()) {
            encoded.add(HttpRequests.encode(method, uri, contentType, null));
        }
        for (byte[] body : bodies) {
            encoded.add(HttpRequests.encode(method, uri, contentType, body));
        }
        this.requests = List.copyOf(encoded);
    }

    public LoadResult run() throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), HttpRequests.port(uri));
        long start = System.nanoTime();
        long warmEnd = start + warmup.toNanos();
        long end = warmEnd + measured.toNanos();
        Client[] clients = new Client[concurrency];
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            clients[i] = new Client(i, address, warmEnd, end, done);
            Thread t = new Thread(clients[i], "load-" + i);
            t.setDaemon(true);
            t.start();
        }
        done.await();
        Histogram corrected = new Histogram(3_600_000_000L, 3);
        Histogram raw = new Histogram(3_600_000_000L, 3);
        long count = 0;
        long errors = 0;
        long connects = 0;
        long intervalSum = 0;
        long lastFinish = warmEnd;
        Map<String, Long> statuses = new HashMap<>();
        for (Client c : clients) {
            corrected.add(c.corrected);
            raw.add(c.raw);
            count += c.measuredCount;
            errors += c.measuredErrors;
            connects += c.connection.connects();
            intervalSum += c.expectedInterval;
            lastFinish = Math.max(lastFinish, c.lastFinish);
            c.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
        }
        // Requests are measured by start time; the window closes when the last of them finished.
        double seconds = Math.max(end, lastFinish) - warmEnd;
        return new LoadResult(label, uri.toString(), concurrency, warmup.toNanos() / 1e9, seconds / 1e9, count,
                errors, statuses, connects, corrected, raw, intervalSum / concurrency);
    }

    private final class Client implements Runnable {
        final HttpConnection connection;
        final Histogram corrected = new Histogram(3_600_000_000L, 3);
        final Histogram raw = new Histogram(3_600_000_000L, 3);
        final Map<String, Long> statuses = new HashMap<>();
        final int index;
        final long warmEnd;
        final long end;
        final CountDownLatch done;
        long measuredCount;
        long measuredErrors;
        long expectedInterval;
        long lastFinish;

        Client(int index, InetSocketAddress address, long warmEnd, long end, CountDownLatch done) {
            this.index = index;
            this.connection = new HttpConnection(address);
            this.warmEnd = warmEnd;
            this.end = end;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                loop();
            } finally {
                connection.close();
                done.countDown();
            }
        }

        private void loop() {
            long warmCount = 0;
            long warmMicros = 0;
            int next = index % requests.size();
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= end) {
                    return;
                }
                boolean measuring = t0 >= warmEnd;
                if (measuring && expectedInterval == 0 && warmCount > 0) {
                    expectedInterval = Math.max(1, warmMicros / warmCount);
                }
                String status;
                boolean ok;
                try {
                    int code = connection.exchange(requests.get(next));
                    status = Integer.toString(code);
                    ok = code >= 200 && code < 300;
                } catch (IOException | RuntimeException e) {
                    status = "io:" + e.getClass().getSimpleName();
                    ok = false;
                    connection.close();
                }
                long t1 = System.nanoTime();
                next = (next + 1) % requests.size();
                long micros = Math.max(1, (t1 - t0) / 1000);
                if (!ok && status.startsWith("io:")) {
                    // A refused or reset connection fails fast; don't spin on it.
                    backOff();
                }
                if (!measuring) {
                    warmCount++;
                    warmMicros += micros;
                    continue;
                }
                measuredCount++;
                lastFinish = t1;
                statuses.merge(status, 1L, Long::sum);
                if (!ok) {
                    measuredErrors++;
                }
                raw.recordValue(micros);
                if (expectedInterval > 0) {
                    corrected.recordValueWithExpectedInterval(micros, expectedInterval);
                } else {
                    corrected.recordValue(micros);
                }
            }
        }

        private void backOff() {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
