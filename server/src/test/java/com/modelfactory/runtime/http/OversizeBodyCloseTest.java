package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.RawHttp;
import com.modelfactory.runtime.testing.RawHttp2;
import com.modelfactory.runtime.testing.TestRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A body declared over MAX_BODY_BYTES is answered 413 and its HTTP/1.1 connection closed at once, with the
 * default timeouts (the body timeout would otherwise let a client push data for a minute): a hostile
 * client cannot make the server read gigabytes after the answer.
 */
class OversizeBodyCloseTest {
    @Test
    void aGigabyteBodyIsRefusedAndTheConnectionClosedWithinASecond() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--max-body-bytes", "1m"); RawHttp c = new RawHttp(rt.server().port())) {
            c.send("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1073741824\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            long start = System.nanoTime();
            long sent = 0;
            boolean refused = false;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                try {
                    c.send(chunk); // what a hostile client does after the 413
                    sent += chunk.length;
                } catch (IOException closed) {
                    refused = true;
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(refused, "the server still took data after 5 s: " + sent + " bytes");
            assertTrue(seconds < 1.5, "closed after " + seconds + " s and " + sent + " bytes");
            // and it keeps serving
            assertEquals(200, rt.post("/predict", "image/png", Files.readAllBytes(fixture("images/cat32.png")))
                    .statusCode());
        }
    }

    /**
     * Over HTTP/2 the connection carries other calls, so the stream alone is cut: the 413, then RST_STREAM
     * NO_ERROR (RFC 9113 8.1: "stop sending, without error"), and the connection keeps serving.
     */
    @Test
    void anHttp2StreamOverTheLimitIsAnsweredAndReset() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--max-body-bytes", "100k"); RawHttp2 h2 = new RawHttp2(rt.server().port())) {
            h2.post(1, "/predict", "image/png", 1L << 30);
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 32; i++) { // 512 KiB, within the stream's first window
                h2.data(1, chunk, false);
            }
            h2.flush();
            h2.readTimeout(1_000);
            String status = null;
            RawHttp2.Frame f;
            do {
                f = h2.next();
                if (f != null && f.stream() == 1 && f.headers() != null && status == null) {
                    status = String.valueOf(f.headers().status());
                }
            } while (f != null && !(f.stream() == 1 && f.type() == RawHttp2.RST_STREAM));
            assertEquals("413", status);
            assertTrue(f != null, "the connection closed instead of the stream");
            assertEquals(0L, f.errorCode(0), "RST_STREAM NO_ERROR");
            RawHttp2.Frame pong = h2.pingPong();
            assertEquals(RawHttp2.PING, pong == null ? -1 : pong.type(), "the connection keeps serving");
        }
    }
}
