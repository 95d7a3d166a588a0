package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.RawHttp;
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
}
