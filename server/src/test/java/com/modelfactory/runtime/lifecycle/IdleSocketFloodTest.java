package com.modelfactory.runtime.lifecycle;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * More idle sockets than the process has file descriptors: they used to be held forever, and the
 * server was unreachable ("Too many open files"). Now they are closed after the header timeout and a
 * new client is served.
 */
class IdleSocketFloodTest {

    @Test
    void idleSocketsBeyondTheDescriptorLimitDoNotLockClientsOut() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        try (ChildRuntime child = ChildRuntime.start(List.of("/usr/bin/prlimit", "--nofile=1024:1024"),
                "--model", fixture("onnx/tiny_cnn/model.onnx").toString(), "--header-timeout-ms", "1000")) {
            child.awaitReady(Duration.ofSeconds(90));
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 1100; i++) {
                    Socket s = new Socket();
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", child.port()), 2000);
                    s.getOutputStream().write('G'); // a first byte: now a connection that sends no request
                    idle.add(s);
                }
            } catch (IOException refusedOrTimedOut) {
                // the backlog filled while the server had no descriptors left: the point of the test
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (r == null && System.nanoTime() < end) {
                try {
                    r = client.send(HttpRequest.newBuilder(child.uri("/health/live")).timeout(Duration.ofSeconds(5))
                            .build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException stillLockedOut) {
                    child.process().waitFor(200, TimeUnit.MILLISECONDS);
                }
            }
            for (Socket s : idle) {
                s.close();
            }
            assertEquals(200, r == null ? -1 : r.statusCode(), "a new client was not served: " + child.log());
        }
    }
}
