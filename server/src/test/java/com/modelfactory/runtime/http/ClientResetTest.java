package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.modelfactory.runtime.testing.RawHttp2;
import com.modelfactory.runtime.testing.TestRuntime;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A client that cancels its request mid-body (HTTP/2 RST_STREAM CANCEL, what Java's HttpClient sends when the
 * server goes away under it) is not a fault of ours: no ERROR line, no answer on the dead stream, and the
 * connection keeps serving. It once logged "failed (error id ...): StreamResetException" at ERROR.
 */
class ClientResetTest {
    private static final long CANCEL = 0x8;

    @Test
    void aStreamCancelledMidBodyLogsNoErrorAndTheConnectionKeepsServing() throws Exception {
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        seen.start();
        root.addAppender(seen);
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString());
                RawHttp2 h2 = new RawHttp2(rt.server().port())) {
            byte[] png = Files.readAllBytes(fixture("images/cat32.png"));
            h2.post(1, "/predict", "image/png", png.length);
            h2.data(1, java.util.Arrays.copyOf(png, png.length / 2), false);
            h2.reset(1, CANCEL);
            // frames of one connection are handled in order: once the PING is answered, the reset was too
            assertEquals(RawHttp2.PING, h2.pingPong().type());
            h2.post(3, "/predict", "image/png", png.length);
            h2.data(3, png, true);
            h2.flush();
            RawHttp2.Frame f;
            do {
                f = h2.next();
                assertTrue(f == null || f.stream() != 1 || f.headers() == null, "an answer on the reset stream");
            } while (f != null && f.type() != RawHttp2.GOAWAY && !(f.stream() == 3 && f.endStream()));
            assertTrue(f != null && f.stream() == 3, "stream 3 answered: " + f);
            List<String> errors;
            synchronized (seen) { // appended to by the server's threads
                errors = seen.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                        .map(ILoggingEvent::getFormattedMessage).toList();
            }
            assertEquals(List.of(), errors);
        } finally {
            root.detachAppender(seen);
        }
    }
}
