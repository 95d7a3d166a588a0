package com.modelfactory.runtime.fetch;

import static com.modelfactory.runtime.fetch.LoopbackStore.ok;
import static com.modelfactory.runtime.fetch.LoopbackStore.status;
import static com.modelfactory.runtime.fetch.LoopbackStore.trickle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GUID and the store's header values never appear in what acquisition logs, reports to its listener,
 * returns as the model's source or throws: with the GUID in the URL's path or in its query, on success and
 * on every kind of failure.
 */
class SecretRedactionTest {
    private static final String GUID = "4f1c-guid-s3cr3t-77";
    private static final String TOKEN = "tok-s3cr3t-0815";
    private static final String PATH_TEMPLATE = "{XQUERY_ADDR}/models/{GUID}/{MODEL_ID}/{MODEL_VERSION}/download";

    @TempDir
    Path modelDir;

    /** Everything a secret could leak through: log lines, listener texts, the source, exception messages. */
    private final List<String> seen = new ArrayList<>();

    private final AcquisitionListener listener = new AcquisitionListener() {
        @Override
        public void downloadStarted(String redactedUrl, int attempt, long expectedBytes) {
            seen.add(redactedUrl);
        }

        @Override
        public void downloadRetry(int failedAttempt, String reason, Duration backoff) {
            seen.add(reason);
        }

        @Override
        public void downloadFailed(String reason, int retries) {
            seen.add(reason);
        }
    };

    private AcquisitionSettings.Builder settings(String storeBase, String template) {
        return TestSettings.builder().storeAddress(storeBase).modelId("m-1").modelVersion("7").guid(GUID)
                .urlTemplate(template).headers(Map.of("Authorization", "Bearer " + TOKEN)).modelDir(modelDir)
                .retries(1).initialBackoff(Duration.ofMillis(1)).connectTimeout(Duration.ofMillis(500))
                .progressInterval(Duration.ofMillis(20));
    }

    private interface Acquisition {
        void run() throws Exception;
    }

    /** Runs {@code a} with stderr (where the log goes) captured, and adds the log to what was seen. */
    private void capturingLog(Acquisition a) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            a.run();
        } finally {
            System.setErr(original);
            seen.add(captured.toString(StandardCharsets.UTF_8));
        }
    }

    private void assertNoSecretSeen(boolean someUrlWasShown) {
        String all = String.join("\n", seen);
        assertFalse(all.contains(GUID), all);
        assertFalse(all.contains(TOKEN), all);
        if (someUrlWasShown) {
            assertTrue(all.contains("***"), "the redacted URL is shown: " + all);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {PATH_TEMPLATE, TestSettings.URL_TEMPLATE})
    void aSuccessfulDownloadWithProgressShowsNoSecret(String template) throws Exception {
        byte[] zip = TestArchives.zip(TestArchives.legacyLayout("tiny.onnx", TinyOnnx.identity()));
        try (LoopbackStore s = new LoopbackStore(status(503), trickle(zip, 4, 40))) {
            capturingLog(() -> seen.add(new ModelAcquirer().acquire(settings(s.base(), template).build(), listener).source()));
            assertTrue(s.requests().get(0).target().contains(GUID), "the store itself gets the GUID");
        }
        assertTrue(String.join("\n", seen).contains("model download"), "progress was logged: " + seen);
        assertNoSecretSeen(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {PATH_TEMPLATE, TestSettings.URL_TEMPLATE})
    void notFoundShowsNoSecret(String template) throws Exception {
        try (LoopbackStore s = new LoopbackStore(status(404))) {
            capturingLog(() -> seen.add(assertThrows(DownloadFailedException.class,
                    () -> new ModelAcquirer().acquire(settings(s.base(), template).build(), listener)).getMessage()));
        }
        assertTrue(seen.stream().anyMatch(t -> t.contains("HTTP 404")), seen.toString());
        assertNoSecretSeen(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {PATH_TEMPLATE, TestSettings.URL_TEMPLATE})
    void aRefusedConnectionShowsNoSecret(String template) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port;
        capturingLog(() -> seen.add(assertThrows(DownloadFailedException.class,
                () -> new ModelAcquirer().acquire(settings(base, template).build(), listener)).getMessage()));
        assertNoSecretSeen(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {PATH_TEMPLATE, TestSettings.URL_TEMPLATE})
    void aChecksumMismatchShowsNoSecret(String template) throws Exception {
        byte[] zip = TestArchives.zip(TestArchives.legacyLayout("tiny.onnx", TinyOnnx.identity()));
        try (LoopbackStore s = new LoopbackStore(ok(zip))) {
            capturingLog(() -> seen.add(assertThrows(ChecksumMismatchException.class, () -> new ModelAcquirer()
                    .acquire(settings(s.base(), template).sha256("0".repeat(64)).build(), listener)).getMessage()));
        }
        assertTrue(seen.stream().anyMatch(t -> t.contains("MODEL_SHA256")), seen.toString());
        assertNoSecretSeen(true);
    }

    @Test
    void aRedirectToAUrlHoldingTheGuidShowsNoSecret() throws Exception {
        byte[] zip = TestArchives.zip(TestArchives.legacyLayout("tiny.onnx", TinyOnnx.identity()));
        try (LoopbackStore blobs = new LoopbackStore(ok(zip));
             LoopbackStore s = new LoopbackStore(LoopbackStore.redirect(blobs.base() + "/blob/" + GUID + "/m.zip"))) {
            capturingLog(() -> new ModelAcquirer().acquire(settings(s.base(), TestSettings.URL_TEMPLATE).build(), listener));
            assertEquals("/blob/" + GUID + "/m.zip", blobs.requests().get(0).target());
        }
        assertNoSecretSeen(true);
    }

    @Test
    void theRedactorHidesRawAndEncodedSecretsAndTheTokenOfAnAuthorizationValue() {
        AcquisitionSettings s = TestSettings.builder().modelDir(modelDir).guid("a b/c+d")
                .headers(Map.of("Authorization", "Bearer " + TOKEN, "X-Short", "t1")).build();
        Redactor r = Redactor.of(s);
        assertEquals("http://h/models/***/x?guid=***", r.url("http://h/models/" + StoreUrl.encode("a b/c+d") + "/x?guid=1"));
        assertEquals("failed: *** and ***", r.text("failed: a b/c+d and " + TOKEN));
        assertEquals("header t1 stays: too short to search for", r.text("header t1 stays: too short to search for"));
        assertEquals("nothing to hide", Redactor.NONE.text("nothing to hide"));
    }
}
