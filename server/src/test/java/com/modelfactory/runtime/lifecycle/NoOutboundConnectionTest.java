package com.modelfactory.runtime.lifecycle;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runtime makes no outbound connection while loading and serving: every connect(2) of the process
 * and its threads, native engine code included, is traced with strace and must target loopback.
 */
class NoOutboundConnectionTest {
    private static final Pattern INET = Pattern.compile("inet_addr\\(\"([^\"]+)\"\\)");
    private static final Pattern INET6 = Pattern.compile("inet_pton\\(AF_INET6, \"([^\"]+)\"");

    @Test
    void loadingAndServingConnectOnlyToLoopback() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "strace is not installed: test skipped");
        Path trace = Files.createTempFile("connect-trace", ".txt");
        Path model = TestRuntime.fixture("onnx/tiny_cnn/model.onnx");
        int port;
        try (ChildRuntime child = ChildRuntime.start(
                List.of("/usr/bin/strace", "-f", "-qq", "-e", "trace=connect,bind", "-o", trace.toString()),
                "--model", model.toString())) {
            child.awaitReady(Duration.ofSeconds(120));
            port = child.uri("/").getPort();
            HttpClient client = HttpClient.newHttpClient();
            byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(child.uri("/predict"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(200, client.send(HttpRequest.newBuilder(child.uri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            child.terminate(Duration.ofSeconds(30));
        }
        List<String> lines = Files.readAllLines(trace);
        Files.deleteIfExists(trace);
        // The trace must have seen the JVM: its listening socket's bind() is in it.
        assertTrue(lines.stream().anyMatch(l -> l.contains("bind(") && l.contains("htons(" + port + ")")),
                "strace did not trace the runtime's own bind(); the check would prove nothing");
        for (String line : lines) {
            if (!line.contains("connect(")) {
                continue;
            }
            Matcher m4 = INET.matcher(line);
            Matcher m6 = INET6.matcher(line);
            if (m4.find()) {
                assertTrue(m4.group(1).startsWith("127."), "outbound IPv4 connection: " + line);
            } else if (m6.find()) {
                String a = m6.group(1);
                assertTrue(a.equals("::1") || a.startsWith("::ffff:127."), "outbound IPv6 connection: " + line);
            } else {
                assertTrue(line.contains("AF_UNIX") || line.contains("AF_NETLINK") || line.contains("AF_UNSPEC"),
                        "unexpected connect: " + line);
            }
        }
    }
}
