package com.modelfactory.runtime.fetch;

import static com.modelfactory.runtime.fetch.LoopbackStore.ok;
import static com.modelfactory.runtime.fetch.LoopbackStore.resetMidBody;
import static com.modelfactory.runtime.fetch.LoopbackStore.stallBeforeHeaders;
import static com.modelfactory.runtime.fetch.LoopbackStore.stallMidBody;
import static com.modelfactory.runtime.fetch.LoopbackStore.status;
import static com.modelfactory.runtime.fetch.LoopbackStore.trickle;
import static com.modelfactory.runtime.fetch.LoopbackStore.truncated;
import static com.modelfactory.runtime.fetch.ModelDirAssertions.assertNothingHalfWritten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.onnx.OnnxEngine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acquisition from a real HTTP model store on loopback, with the faults a store and a network produce.
 * Timeouts and backoffs are a few hundred milliseconds at most, set by each test.
 */
class ModelAcquirerStoreTest {
    private static final String GUID = "guid-s3cr3t-4711";
    private static final String TOKEN = "Bearer tok-s3cr3t-0815";

    @TempDir
    Path modelDir;

    private byte[] onnx;
    private byte[] legacyZip;
    private final RecordingListener listener = new RecordingListener();

    /**
     * One download before the tests, so that class loading and the HTTP client's start-up in a cold JVM
     * do not count against the short timeouts the tests set.
     */
    @BeforeAll
    static void warmUp(@TempDir Path dir) throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(TinyOnnx.identity()))) {
            new ModelAcquirer().acquire(TestSettings.builder().modelPath(s.base() + "/warm-up.onnx")
                    .modelDir(dir).build());
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        onnx = TinyOnnx.identity();
        legacyZip = TestArchives.zip(TestArchives.legacyLayout("tiny.onnx", onnx));
    }

    private AcquisitionSettings.Builder store(LoopbackStore s) {
        return TestSettings.builder()
                .storeAddress(s.base())
                .modelId("m-1")
                .modelVersion("7")
                .guid(GUID)
                .headers(Map.of("Authorization", TOKEN))
                .modelDir(modelDir)
                .connectTimeout(Duration.ofSeconds(5))
                // Generous unless a test is about timeouts, so a busy machine cannot fake one.
                .readTimeout(Duration.ofSeconds(10))
                .retries(2)
                .initialBackoff(Duration.ofMillis(5))
                .maxBackoff(Duration.ofMillis(20))
                .progressInterval(Duration.ofMillis(50));
    }

    @Test
    void downloadsTheLegacyLayoutUnpacksItAndTheEngineServesIt() throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build(), listener);

            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(modelDir.resolve("m-1/7/model/model/tiny.onnx"), m.modelPath());
            assertTrue(m.formatReason().contains("ONNX ModelProto"), m.formatReason());
            assertEquals("m-1/7", m.cacheKey());
            assertFalse(m.fromCache());
            assertFalse(m.source().contains(GUID), m.source());
            assertTrue(m.source().contains("guid=***"), m.source());

            LoopbackStore.Request r = s.requests().get(0);
            assertEquals("/model/download?modelId=m-1&modelVersion=7&guid=" + GUID, r.target());
            assertEquals(TOKEN, r.headers().get("authorization"));
            assertEquals(List.of("started", "completed:" + legacyZip.length + ":0"), listener.events);
            assertFalse(Files.exists(modelDir.resolve("m-1/7/download")), "the archive is deleted after unpacking");

            try (LoadedModel model = new OnnxEngine().load(m.format(), LoadOptions.of(m.modelPath()).withDevice(Device.CPU));
                 Predictor p = model.newPredictor()) {
                Map<String, Tensor> out = p.predict(Map.of("X", Tensor.ofFloats(new long[] {1, 2}, 1.5f, -2f)));
                assertArrayEquals(new float[] {1.5f, -2f}, out.get("Y").toFloats());
            }
        }
    }

    @Test
    void aRestartWithTheSameKeyUsesTheCacheWithoutDownloading() throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(legacyZip))) {
            new ModelAcquirer().acquire(store(s).build());
            AcquiredModel again = new ModelAcquirer().acquire(store(s).build(), listener);
            assertTrue(again.fromCache());
            assertEquals(1, s.requests().size());
            assertEquals(List.of("cacheHit:m-1/7"), listener.events);
            assertEquals(modelDir.resolve("m-1/7/model/model/tiny.onnx"), again.modelPath());
        }
    }

    @Test
    void valuesAreUrlEncodedAndTheTemplateCanBeReplaced() throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(onnx))) {
            AcquisitionSettings settings = store(s).modelId("a b&c").modelVersion("1/2")
                    .urlTemplate("{XQUERY_ADDR}/api/models/{MODEL_ID}/versions/{MODEL_VERSION}/file?g={GUID}").build();
            AcquiredModel m = new ModelAcquirer().acquire(settings);
            assertEquals("/api/models/a%20b%26c/versions/1%2F2/file?g=" + GUID, s.requests().get(0).target());
            // A bare file from a nameless URL is named by what it is.
            assertEquals("model.onnx", m.modelPath().getFileName().toString());
            assertTrue(m.modelPath().startsWith(modelDir.resolve("a_b_c/1_2")), m.modelPath().toString());
        }
    }

    @Test
    void serverErrorsAreRetriedWithBackoffUntilSuccess() throws Exception {
        try (LoopbackStore s = new LoopbackStore(status(500), status(503), ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build(), listener);
            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(3, s.requests().size());
            assertEquals(List.of("retry:1:HTTP 500", "retry:2:HTTP 503", "started",
                    "completed:" + legacyZip.length + ":2"), listener.events);
        }
    }

    @Test
    void serverErrorsUntilAttemptsRunOutFailAndLeaveNothing() throws Exception {
        try (LoopbackStore s = new LoopbackStore(status(502))) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class,
                    () -> new ModelAcquirer().acquire(store(s).build(), listener));
            assertEquals(3, s.requests().size());
            assertEquals(3, e.attempts());
            assertEquals(502, e.status());
            assertTrue(e.getMessage().contains("after 3 attempts") && e.getMessage().contains("HTTP 502"), e.getMessage());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aConnectionResetMidBodyIsRetried() throws Exception {
        try (LoopbackStore s = new LoopbackStore(resetMidBody(legacyZip, legacyZip.length / 2), ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build(), listener);
            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(2, s.requests().size());
            assertTrue(listener.events.stream().anyMatch(ev -> ev.startsWith("retry:1:")), listener.events.toString());
        }
    }

    @Test
    void connectionResetsOnEveryAttemptFailAndLeaveNothing() throws Exception {
        try (LoopbackStore s = new LoopbackStore(resetMidBody(legacyZip, 100))) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class,
                    () -> new ModelAcquirer().acquire(store(s).build()));
            assertEquals(3, s.requests().size());
            assertEquals(-1, e.status());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIsRetried() throws Exception {
        try (LoopbackStore s = new LoopbackStore(truncated(legacyZip, legacyZip.length - 10), ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build(), listener);
            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(2, s.requests().size());
        }
    }

    @Test
    void truncatedBodiesOnEveryAttemptFailAndLeaveNothing() throws Exception {
        try (LoopbackStore s = new LoopbackStore(truncated(legacyZip, legacyZip.length / 3))) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class,
                    () -> new ModelAcquirer().acquire(store(s).retries(1).build()));
            assertEquals(2, s.requests().size());
            assertEquals(2, e.attempts());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aStalledBodyHitsTheReadTimeoutAndIsRetried() throws Exception {
        try (LoopbackStore s = new LoopbackStore(stallMidBody(legacyZip, 64), ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).readTimeout(Duration.ofMillis(250)).build(), listener);
            assertEquals(ModelFormat.ONNX, m.format());
            assertTrue(s.requests().size() >= 2, "the stalled attempt was retried");
            assertTrue(listener.events.stream().anyMatch(ev -> ev.startsWith("retry:1:read timeout")), listener.events.toString());
        }
    }

    @Test
    void stalledBodiesOnEveryAttemptFailAndLeaveNothing() throws Exception {
        try (LoopbackStore s = new LoopbackStore(stallMidBody(legacyZip, 64))) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class, () -> new ModelAcquirer()
                    .acquire(store(s).readTimeout(Duration.ofMillis(200)).retries(1).build()));
            assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
            assertEquals(2, s.requests().size());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void noResponseHeadersHitTheTimeout() throws Exception {
        try (LoopbackStore s = new LoopbackStore(stallBeforeHeaders())) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class, () -> new ModelAcquirer()
                    .acquire(store(s).readTimeout(Duration.ofMillis(200)).retries(1).build()));
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            assertEquals(2, s.requests().size());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aSlowButSteadyBodyIsNotATimeout() throws Exception {
        // Six pieces 100 ms apart: the whole body takes longer than the 500 ms read timeout,
        // but the connection is never idle that long. The read timeout is idle time, not total time.
        try (LoopbackStore s = new LoopbackStore(trickle(legacyZip, 6, 100))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).readTimeout(Duration.ofMillis(500)).build(), listener);
            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(1, s.requests().size());
            assertTrue(listener.events.stream().anyMatch(ev -> ev.startsWith("progress:")),
                    "progress is reported while bytes arrive: " + listener.events);
        }
    }

    /** What the server shows in GET /model and the metrics during a long download. */
    @Test
    void progressReportsBytesTheTotalAndTheRetriesWhileTheBodyArrives() throws Exception {
        byte[] body = legacyZip;
        try (LoopbackStore s = new LoopbackStore(status(503), trickle(body, 6, 60))) {
            new ModelAcquirer().acquire(store(s).progressInterval(Duration.ofMillis(20)).build(), listener);
        }
        assertFalse(listener.reports.isEmpty(), "progress while the body arrives: " + listener.events);
        long previous = 0;
        for (DownloadProgress p : listener.reports) {
            assertEquals(body.length, p.expectedBytes(), "the total is the Content-Length");
            assertEquals(2, p.attempt());
            assertEquals(1, p.retries(), "the failed first attempt counts");
            assertTrue(p.bytes() >= previous && p.bytes() <= body.length, p.toString());
            assertTrue(p.fraction() >= 0 && p.fraction() <= 1, p.toString());
            previous = p.bytes();
        }
        assertEquals(List.of("retry:1:HTTP 503", "started"), listener.events.subList(0, 2));
        assertTrue(listener.events.get(listener.events.size() - 1).startsWith("completed:" + body.length + ":1"),
                listener.events.toString());
    }

    @Test
    void notFoundIsNotRetriedAndTheMessageNamesStatusAndUrlWithoutSecrets() throws Exception {
        try (LoopbackStore s = new LoopbackStore(status(404))) {
            DownloadFailedException e = assertThrows(DownloadFailedException.class,
                    () -> new ModelAcquirer().acquire(store(s).build(), listener));
            assertEquals(1, s.requests().size());
            assertEquals(404, e.status());
            assertEquals(1, e.attempts());
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
            assertTrue(e.getMessage().contains(s.base() + "/model/download?modelId=m-1&modelVersion=7&guid=***"),
                    e.getMessage());
            assertFalse(e.getMessage().contains(GUID), e.getMessage());
            assertFalse(e.getMessage().contains("tok-s3cr3t"), e.getMessage());
            assertEquals(List.of("failed"), listener.events);
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void redirectsAreFollowedButHeadersStayWithTheStoreOrigin() throws Exception {
        try (LoopbackStore blobs = new LoopbackStore(ok(legacyZip));
             LoopbackStore s = new LoopbackStore(LoopbackStore.redirect(blobs.base() + "/blob/abc?sig=xyz"))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build());
            assertEquals(ModelFormat.ONNX, m.format());
            assertEquals(TOKEN, s.requests().get(0).headers().get("authorization"));
            assertEquals("/blob/abc?sig=xyz", blobs.requests().get(0).target());
            assertFalse(blobs.requests().get(0).headers().containsKey("authorization"),
                    "the store's token is not sent to another origin");
        }
    }

    @Test
    void aWrongChecksumFailsWithoutRetryAndLeavesNothing() throws Exception {
        try (LoopbackStore s = new LoopbackStore(ok(legacyZip))) {
            String other = sha256("something else".getBytes(StandardCharsets.UTF_8));
            ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                    () -> new ModelAcquirer().acquire(store(s).sha256(other).build()));
            assertTrue(e.getMessage().contains(sha256(legacyZip)) && e.getMessage().contains(other), e.getMessage());
            assertEquals(1, s.requests().size());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aMatchingChecksumIsAcceptedAndAnotherChecksumLaterForcesAFreshDownload() throws Exception {
        byte[] tarGz = TestArchives.tarGz(TestArchives.legacyLayout("tiny.onnx", onnx));
        try (LoopbackStore s = new LoopbackStore(ok(legacyZip), ok(tarGz))) {
            AcquiredModel first = new ModelAcquirer().acquire(store(s).sha256(sha256(legacyZip).toUpperCase()).build());
            assertEquals(ModelFormat.ONNX, first.format());
            AcquiredModel same = new ModelAcquirer().acquire(store(s).sha256(sha256(legacyZip)).build());
            assertTrue(same.fromCache());
            AcquiredModel replaced = new ModelAcquirer().acquire(store(s).sha256(sha256(tarGz)).build());
            assertFalse(replaced.fromCache());
            assertEquals(2, s.requests().size());
            assertEquals(sha256(tarGz), ModelCache.readMarker(modelDir.resolve("m-1/7")).getProperty("sha256"));
        }
    }

    @Test
    void aRefusedConnectionIsRetriedThenReported() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        AcquisitionSettings settings = TestSettings.builder().storeAddress("http://127.0.0.1:" + port)
                .modelId("m").modelVersion("1").guid(GUID).modelDir(modelDir).retries(1)
                .initialBackoff(Duration.ofMillis(1)).connectTimeout(Duration.ofMillis(300)).build();
        DownloadFailedException e = assertThrows(DownloadFailedException.class,
                () -> new ModelAcquirer().acquire(settings, listener));
        assertEquals(2, e.attempts());
        assertTrue(listener.events.get(0).startsWith("retry:1:"), listener.events.toString());
        assertFalse(e.getMessage().contains(GUID));
        assertNothingHalfWritten(modelDir);
    }

    @Test
    void anArchiveWithoutAModelIsNotCached() throws Exception {
        byte[] noModel = TestArchives.zip(TestArchives.legacyLayout("readme.txt", "hello".getBytes(StandardCharsets.UTF_8)));
        try (LoopbackStore s = new LoopbackStore(ok(noModel))) {
            com.modelfactory.runtime.format.UnrecognizedModelException e = assertThrows(
                    com.modelfactory.runtime.format.UnrecognizedModelException.class,
                    () -> new ModelAcquirer().acquire(store(s).build()));
            assertTrue(e.getMessage().contains("readme.txt"), e.getMessage());
            assertNothingHalfWritten(modelDir);
        }
    }

    @Test
    void aHalfModelFromAnInterruptedStartIsNeverUsed() throws Exception {
        // What a crash could leave: a temp folder of this key and a folder without the completion marker.
        Path staleTemp = modelDir.resolve(".tmp/m-1__7-dead/content/model/model");
        Files.createDirectories(staleTemp);
        Files.write(staleTemp.resolve("tiny.onnx"), new byte[] {8, 7});
        Path foreign = modelDir.resolve("m-1/7/model/model");
        Files.createDirectories(foreign);
        Files.write(foreign.resolve("half.onnx"), new byte[] {8});
        try (LoopbackStore s = new LoopbackStore(ok(legacyZip))) {
            AcquiredModel m = new ModelAcquirer().acquire(store(s).build());
            assertFalse(m.fromCache());
            assertEquals(1, s.requests().size());
            assertFalse(Files.exists(foreign.resolve("half.onnx")));
            assertFalse(Files.exists(modelDir.resolve(".tmp/m-1__7-dead")));
            assertArrayEquals(onnx, Files.readAllBytes(m.modelPath()));
        }
    }

    @Test
    void secretsNeverReachTheLog() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (LoopbackStore s = new LoopbackStore(status(500), trickle(legacyZip, 3, 30), status(404))) {
            new ModelAcquirer().acquire(store(s).build());
            assertThrows(DownloadFailedException.class, () -> new ModelAcquirer()
                    .acquire(store(s).modelVersion("8").build()));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("guid=***"), "the redacted URL is logged: " + log);
        assertFalse(log.contains(GUID), log);
        assertFalse(log.contains("tok-s3cr3t"), log);
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Listener events in order, reduced to what the tests assert. */
    static final class RecordingListener implements AcquisitionListener {
        final List<String> events = new ArrayList<>();
        final AtomicInteger progress = new AtomicInteger();
        final AtomicLong lastBytes = new AtomicLong();
        final List<DownloadProgress> reports = new ArrayList<>();

        @Override
        public void downloadStarted(String redactedUrl, int attempt, long expectedBytes) {
            events.add("started");
        }

        @Override
        public void downloadProgress(DownloadProgress p) {
            if (progress.getAndIncrement() == 0) {
                events.add("progress:" + p.bytes());
            }
            lastBytes.set(p.bytes());
            reports.add(p);
        }

        @Override
        public void downloadRetry(int failedAttempt, String reason, Duration backoff) {
            events.add("retry:" + failedAttempt + ":" + reason.split(" from ")[0]);
        }

        @Override
        public void downloadCompleted(long bytes, Duration duration, int retries) {
            events.add("completed:" + bytes + ":" + retries);
        }

        @Override
        public void downloadFailed(String reason, int retries) {
            events.add("failed");
        }

        @Override
        public void cacheHit(String cacheKey) {
            events.add("cacheHit:" + cacheKey);
        }
    }
}
