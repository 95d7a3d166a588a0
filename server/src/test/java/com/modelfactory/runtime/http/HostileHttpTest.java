package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.RawHttp;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests that break the HTTP layer rather than the model: form bodies, oversized lines and headers,
 * broken framing, TLS on the plain port, slow and idle clients. Each gets a JSON error or a closed
 * socket, never a 500 or a held connection, and the server keeps serving.
 */
class HostileHttpTest {
    private static TestRuntime rt;
    private static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--header-timeout-ms", "400", "--body-timeout-ms", "400");
        png = Files.readAllBytes(fixture("images/cat32.png"));
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @AfterEach
    void stillServing() throws Exception {
        HttpResponse<String> r = rt.post("/predict", "image/png", png);
        assertEquals(200, r.statusCode(), "the server must keep serving: " + r.body());
    }

    private static int port() {
        return rt.server().port();
    }

    private static void assertJsonError(RawHttp.Response r, int status) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.headers().toString());
        assertFalse(new JsonObject(r.body()).getString("error").isBlank(), r.body());
    }

    @Test
    void multipartWithLargeTextFieldsBesideTheFileIsServed() throws Exception {
        String boundary = "b0undary";
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 300; i++) {   // more fields than Vert.x's default of 256, each over its 8 KB
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"note").append(i)
                    .append("\"\r\n\r\n").append("x".repeat(i == 0 ? 20_000 : 10)).append("\r\n");
        }
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"image\"; filename=\"c.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[start.length + png.length + end.length];
        System.arraycopy(start, 0, body, 0, start.length);
        System.arraycopy(png, 0, body, start.length, png.length);
        System.arraycopy(end, 0, body, start.length + png.length, end.length);
        HttpResponse<String> r = rt.post("/predict", "multipart/form-data; boundary=" + boundary, body);
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void formUrlencodedBodiesAreClientErrors() throws Exception {
        byte[] form = ("a=" + "x".repeat(20_000) + "&b=1").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> predict = rt.post("/predict", "application/x-www-form-urlencoded", form);
        assertEquals(415, predict.statusCode(), predict.body());
        HttpResponse<String> infer = rt.post("/v2/models/" + rt.name() + "/infer", "application/x-www-form-urlencoded", form);
        assertEquals(400, infer.statusCode(), infer.body());
        assertTrue(new JsonObject(infer.body()).getString("error").contains("malformed JSON"), infer.body());
    }

    @Test
    void overlongRequestLineAndHeadersAreJsonErrors() throws Exception {
        try (RawHttp c = new RawHttp(port())) {
            assertJsonError(c.send("GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").read(), 414);
            assertTrue(c.closedByServer());
        }
        StringBuilder many = new StringBuilder("GET /health/live HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 1000; i++) {
            many.append("X-Header-").append(i).append(": value\r\n");
        }
        try (RawHttp c = new RawHttp(port())) {
            assertJsonError(c.send(many.append("\r\n").toString()).read(), 431);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void brokenFramingAndTlsOnThePlainPortAreAnsweredAndClosed() throws Exception {
        try (RawHttp c = new RawHttp(port())) {
            c.send("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\nhello\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertTrue(r.status() == 400, r.status() + " " + r.body());
            assertTrue(c.closedByServer(), "a connection with broken framing is closed");
        }
        // The start of a TLS 1.2 ClientHello.
        byte[] hello = HexFormat.of().parseHex("16030100a5010000a10303" + "00".repeat(32) + "000a00");
        try (RawHttp c = new RawHttp(port())) {
            assertJsonError(c.send(hello).read(), 400);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void idleAndSlowClientsAreClosedAfterTheTimeouts() throws Exception {
        try (RawHttp idle = new RawHttp(port()); RawHttp halfHeaders = new RawHttp(port());
             RawHttp slowBody = new RawHttp(port())) {
            halfHeaders.send("POST /predict HTTP/1.1\r\nHost: x\r\nContent-");
            slowBody.send("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n"
                    + "0123456789");
            long start = System.nanoTime();
            assertTrue(idle.closedByServer(), "a socket that never sends a byte is closed");
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(10),
                    "closed after the header timeout, not the request timeout");
            assertTrue(halfHeaders.closedByServer(), "half-sent headers are not waited for forever");
            RawHttp.Response r = slowBody.read();
            assertJsonError(r, 408);
            assertTrue(slowBody.closedByServer());
        }
        try (RawHttp slowloris = new RawHttp(port())) {
            // One header byte at a time, each well within the idle timeout: the socket is still refused a
            // life longer than the header timeout, counted from accept.
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    slowloris.send(i == 0 ? "GET /health/live HTTP/1.1\r\nX-Slow: " : "a");
                    slowloris.socket().setSoTimeout(100);
                    closed = slowloris.closedByServer();
                } catch (java.io.IOException reset) {
                    closed = true;
                }
            }
            assertTrue(closed, "a slowloris client kept its socket for 10 s");
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(5),
                    "closed after the header timeout, counted from accept");
        }
        try (RawHttp keepAlive = new RawHttp(port())) {
            RawHttp.Response first = keepAlive.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(200, first.status());
            assertTrue(keepAlive.closedByServer(), "a keep-alive connection idle after its response is closed too");
        }
    }
}
