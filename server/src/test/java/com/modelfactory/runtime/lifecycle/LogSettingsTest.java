package com.modelfactory.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LOG_LEVEL and ACCESS_LOG on the real process: what its log holds. */
class LogSettingsTest {
    private static final String MODEL = TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static void requests(ChildRuntime rt) throws Exception {
        byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(rt.uri("/predict")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode());
        }
        assertEquals(404, HTTP.send(HttpRequest.newBuilder(rt.uri("/v2/models/nope")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void theAccessLogHasALinePerRequest() throws Exception {
        try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", MODEL, "--model-name", "cnn", "--access-log",
                "true")) {
            rt.awaitReady(Duration.ofSeconds(60));
            requests(rt);
            rt.terminate(Duration.ofSeconds(30));
            List<String> lines = rt.log().lines().filter(l -> l.contains(" access - "))
                    .filter(l -> !l.contains("/health/ready")).toList(); // the readiness polls: as many as it took
            assertEquals(4, lines.size(), "3 predictions and a 404:\n" + rt.log());
            assertEquals(3, lines.stream().filter(l -> l.contains("POST /predict route=/predict model=- status=200")
                    && l.matches(".* batch=[1-9][0-9]* client=127\\.0\\.0\\.1$")).count(), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains("GET /v2/models/nope") && l.contains("model=nope")
                    && l.contains("status=404") && l.contains("batch=- client=127.0.0.1")), lines.toString());
        }
    }

    @Test
    void logLevelWarnLeavesOutInfoAndAnUnknownLevelStopsStartUp() throws Exception {
        try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", MODEL, "--log-level", "warn", "--access-log",
                "true")) {
            rt.awaitReady(Duration.ofSeconds(60));
            requests(rt);
            rt.terminate(Duration.ofSeconds(30));
            assertFalse(rt.log().contains(" INFO "), rt.log());
        }
        try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", MODEL, "--log-level", "loud")) {
            assertTrue(rt.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, rt.process().exitValue());
            assertTrue(rt.log().contains("log_level must be one of"), rt.log());
        }
    }

    @Test
    void logFormatJsonWritesOneObjectPerLineWithTheAccessFieldsAsKeys() throws Exception {
        try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", MODEL, "--model-name", "cnn", "--access-log",
                "true", "--log-format", "json")) {
            rt.awaitReady(Duration.ofSeconds(60));
            requests(rt);
            rt.terminate(Duration.ofSeconds(30));
            List<io.vertx.core.json.JsonObject> events = new java.util.ArrayList<>();
            for (String line : rt.log().lines().filter(l -> !l.isBlank()).toList()) {
                if (line.startsWith("[")) {
                    continue; // a native engine's own stderr line (ONNX Runtime), not ours
                }
                events.add(new io.vertx.core.json.JsonObject(line)); // every line of ours is one JSON object
            }
            assertTrue(events.stream().anyMatch(e -> "INFO".equals(e.getString("level"))
                    && e.getString("formattedMessage", "").startsWith("ready:")), events.toString());
            List<io.vertx.core.json.JsonObject> access = events.stream()
                    .filter(e -> "access".equals(e.getString("loggerName")))
                    .filter(e -> !e.getString("formattedMessage", "").contains("/health/ready")).toList();
            assertEquals(4, access.size(), access.toString());
            io.vertx.core.json.JsonObject notFound = access.stream()
                    .filter(e -> e.getString("formattedMessage").contains("/v2/models/nope")).findFirst().orElseThrow();
            String keys = notFound.getJsonArray("kvpList").encode();
            assertTrue(keys.contains("\"status\":\"404\"") || keys.contains("\"status\":404"), keys);
            assertTrue(keys.contains("\"model\":\"nope\""), keys);
        }
        try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", MODEL, "--log-format", "xml")) {
            assertTrue(rt.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, rt.process().exitValue());
            assertTrue(rt.log().contains("log_format must be one of"), rt.log());
        }
    }

    @Test
    void onnxRuntimesPerInitializerWarningsShowOnlyAtDebugAndOneLineOfOursSaysWhy() throws Exception {
        String model = TestRuntime.fixture("onnx/initializer_inputs").toString();
        for (String level : List.of("info", "debug")) {
            try (ChildRuntime rt = ChildRuntime.start(List.of(), "--model", model, "--log-level", level)) {
                rt.awaitReady(Duration.ofSeconds(60));
                rt.terminate(Duration.ofSeconds(30));
                String log = rt.log();
                long native_ = log.lines().filter(l -> l.contains("appears in graph inputs")).count();
                long ours = log.lines().filter(l -> l.contains("also listed as graph inputs")).count();
                assertTrue(ours >= 1, level + ": the model's initializer inputs are said in our log\n" + log);
                if (level.equals("info")) {
                    assertEquals(0, native_, "ONNX Runtime's per-initializer warnings at info:\n" + log);
                } else {
                    assertTrue(native_ > 0, "at debug ONNX Runtime's own warnings show:\n" + log);
                }
            }
        }
    }
}
