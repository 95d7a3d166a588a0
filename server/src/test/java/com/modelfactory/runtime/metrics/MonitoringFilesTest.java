package com.modelfactory.runtime.metrics;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.grpc.proto.GRPCInferenceServiceGrpc;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/monitoring holds what ops import: the Grafana dashboard and the Prometheus alert rules. Every metric
 * they name is one a running runtime exposes (so a renamed metric cannot leave a silent panel or an alert that
 * never fires), and promtool accepts the rules and their unit tests (alerts-test.yaml: each fires on the
 * series it is for).
 */
class MonitoringFilesTest {
    private static final Pattern OURS = Pattern.compile("\\b((?:model|http_server|grpc_server|process|jvm)_[a-z_]+)\\b");
    private static final Path DIR = Path.of(System.getProperty("user.dir")).resolveSibling("deploy").resolve("monitoring");

    @Test
    void everyMetricTheDashboardAndAlertsNameIsExposed() throws Exception {
        assumeTrue(Files.isDirectory(DIR), DIR + " not found; skipping");
        JsonObject dashboard = new JsonObject(Files.readString(DIR.resolve("grafana-dashboard.json")));
        assertTrue(dashboard.getJsonArray("panels").size() >= 6);
        Set<String> named = new TreeSet<>();
        collect(dashboard.encode(), named);
        collect(Files.readString(DIR.resolve("alerts.yaml")), named);
        assertTrue(named.size() >= 10, named.toString());
        try (TestRuntime rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn").toString())) {
            byte[] png = Files.readAllBytes(fixture("images/cat32.png"));
            assertEquals(200, rt.post("/predict", "image/png", png).statusCode());
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", rt.server().port()).usePlaintext()
                    .build();
            try {
                assertTrue(GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
            } finally {
                channel.shutdownNow();
            }
            String exposition = rt.get("/metrics").body();
            Set<String> missing = new TreeSet<>();
            for (String name : named) {
                // a histogram's family name stands for its _bucket, _count, _sum and _max series
                if (!Pattern.compile("^" + name + "(_bucket|_count|_sum|_max)?[{ ]", Pattern.MULTILINE)
                        .matcher(exposition).find()) {
                    missing.add(name);
                }
            }
            assertTrue(missing.isEmpty(), "named in deploy/monitoring but not exposed: " + missing);
        }
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirTests() throws Exception {
        assumeTrue(Files.isDirectory(DIR), DIR + " not found; skipping");
        assumeTrue(run("promtool", "--version") == 0, "promtool is not installed (apt-get install -y prometheus); skipping");
        assertEquals(0, run("promtool", "check", "rules", DIR.resolve("alerts.yaml").toString()));
        assertEquals(0, run("promtool", "test", "rules", DIR.resolve("alerts-test.yaml").toString()));
    }

    private static void collect(String text, Set<String> into) {
        Matcher m = OURS.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private static int run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0) {
                System.err.println(String.join(" ", command) + ":\n" + out);
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }
}
