package com.modelfactory.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, point 3, as a process with the JVM settings it is deployed with (read from bin/model-server):
 * requests far over the batch cap but inside the body limit run as batches of at most the cap and leave no
 * memory behind. Idle RSS (from /proc) after ten 1,953-item JSON requests and two 4,000-item binary ones is
 * within 10 % of idle RSS after ordinary full batches; before, it went 113 -> 710 MiB and stayed.
 * Above MAX_REQUEST_ITEMS a request is refused 413.
 */
class LargeRequestMemoryTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int ITEM = 3 * 32 * 32;

    @Test
    void outsizedRequestsLeaveIdleMemoryWhereItWas() throws Exception {
        try (ChildRuntime rt = ChildRuntime.start(deployedEnvironment(), deployedJvmOptions(),
                "--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(), "--model-name", "m")) {
            rt.awaitReady(Duration.ofSeconds(60));
            long pid = rt.process().toHandle().descendants().filter(h -> h.info().command()
                    .map(c -> c.endsWith("/java")).orElse(false)).findFirst().orElse(rt.process().toHandle()).pid();
            // Ordinary full batches first, from 4 clients at once, so every worker has run a batch at the cap.
            byte[] full = binary(32);
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(HTTP.sendAsync(request(rt, full), HttpResponse.BodyHandlers.ofString()));
                if (calls.size() >= 4) {
                    assertEquals(200, calls.remove(0).join().statusCode());
                }
            }
            calls.forEach(c -> assertEquals(200, c.join().statusCode()));
            long before = settledRss(pid);
            byte[] json = json(1953);
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = infer(rt, json);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("[1953,10]", new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0)
                        .getJsonArray("shape").encode());
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(200, infer(rt, binary(4000)).statusCode());
            }
            HttpResponse<String> tooMany = infer(rt, binary(5000));
            assertEquals(413, tooMany.statusCode());
            assertTrue(tooMany.body().contains("MAX_REQUEST_ITEMS"), tooMany.body());
            long limit = before + before / 10;
            long after = awaitRssAtMost(pid, limit, Duration.ofSeconds(40));
            System.out.printf("idle RSS: %d MiB before the outsized requests, %d MiB after%n", before >> 20, after >> 20);
            assertTrue(after <= limit, "idle RSS " + (before >> 20) + " MiB before, " + (after >> 20)
                    + " MiB 40 s after the outsized requests\n" + rt.log());
        }
    }

    /** {@code env NAME=value...} for the variables bin/model-server exports by default (glibc's malloc settings). */
    static List<String> deployedEnvironment() throws IOException {
        List<String> env = new ArrayList<>(List.of("env"));
        Matcher m = Pattern.compile("(?m)^export (\\w+)=\"\\$\\{\\1:-([^}]*)}\"").matcher(Files.readString(Path.of("bin", "model-server")));
        while (m.find()) {
            env.add(m.group(1) + "=" + m.group(2));
        }
        assertTrue(env.size() > 2, "bin/model-server exports its malloc settings");
        return env;
    }

    /**
     * The JVM options bin/model-server runs with when JAVA_OPTS is unset, for a model that is not PMML (its
     * {@code $compiler_opt} is then the script's default).
     */
    static List<String> deployedJvmOptions() throws IOException {
        String script = Files.readString(Path.of("bin", "model-server"));
        Matcher m = Pattern.compile("\\$\\{JAVA_OPTS:-([^}]*)}").matcher(script);
        assertTrue(m.find(), "bin/model-server names its default JVM options");
        Matcher compiler = Pattern.compile("(?m)^compiler_opt=\"([^\"]*)\"").matcher(script);
        assertTrue(compiler.find(), "bin/model-server names its default compiler option");
        return Arrays.asList(m.group(1).replace("$compiler_opt", compiler.group(1)).trim().split("\\s+"));
    }

    private static HttpResponse<String> infer(ChildRuntime rt, byte[] body) throws Exception {
        return HTTP.send(request(rt, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(ChildRuntime rt, byte[] body) {
        boolean binary = body[0] != '{' || body.length > 0 && new String(body, 0, Math.min(body.length, 200),
                StandardCharsets.ISO_8859_1).contains("binary_data_size");
        HttpRequest.Builder b = HttpRequest.newBuilder(rt.uri("/v2/models/m/infer")).timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (binary) {
            int header = headerLength(body);
            b.header("Content-Type", "application/octet-stream").header("Inference-Header-Content-Length",
                    Integer.toString(header));
        } else {
            b.header("Content-Type", "application/json");
        }
        return b.build();
    }

    private static int headerLength(byte[] body) {
        int depth = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '{') {
                depth++;
            } else if (body[i] == '}' && --depth == 0) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no JSON header");
    }

    private static byte[] json(int items) {
        StringBuilder s = new StringBuilder(items * ITEM * 4 + 200);
        s.append("{\"inputs\":[{\"name\":\"input\",\"shape\":[").append(items).append(",3,32,32],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < items * ITEM; i++) {
            s.append(i == 0 ? "" : ",").append((i % 7) * 0.25);
        }
        return s.append("]}]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] binary(int items) {
        byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[" + items + ",3,32,32],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + (items * ITEM * 4) + "}}]}").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(header.length + items * ITEM * 4).order(ByteOrder.LITTLE_ENDIAN).put(header);
        for (int i = 0; i < items * ITEM; i++) {
            b.putFloat((i % 7) * 0.25f);
        }
        return b.array();
    }

    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** RSS once it stops moving: six samples 0.5 s apart within 2 % of each other (30 s at most). */
    private static long settledRss(long pid) throws Exception {
        Deque<Long> last = new ArrayDeque<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            last.addLast(rss(pid));
            if (last.size() > 6) {
                last.removeFirst();
            }
            long min = last.stream().mapToLong(Long::longValue).min().orElseThrow();
            long max = last.stream().mapToLong(Long::longValue).max().orElseThrow();
            if (last.size() == 6 && max - min <= max / 50) {
                return max;
            }
            TimeUnit.MILLISECONDS.sleep(500); // a sampling interval, not synchronisation
        }
        return last.getLast();
    }

    private static long awaitRssAtMost(long pid, long limit, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        long now = rss(pid);
        while (now > limit && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(500); // sampling /proc
            now = rss(pid);
        }
        return now;
    }
}
