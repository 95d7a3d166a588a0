package com.modelfactory.runtime.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The runtime as a real child process (java ... Main), for tests of signals, exit codes and syscalls. */
public final class ChildRuntime implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ChildRuntime(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code prefix... java -Xmx512m -cp <test class path> Main --host 127.0.0.1 --port <free>
     * --grpc-port 0 args...} (gRPC on the HTTP port only unless args name a gRPC port).
     */
    public static ChildRuntime start(List<String> prefix, String... args) throws IOException {
        return start(prefix, List.of("-Xmx512m"), args);
    }

    /** Likewise with these JVM options instead of -Xmx512m. */
    public static ChildRuntime start(List<String> prefix, List<String> jvmOptions, String... args) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", cp, "com.modelfactory.runtime.Main", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--grpc-port", "0"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("child-runtime", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildRuntime(p, port, log);
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Polls readiness until 200, the process dies, or the deadline passes. */
    public void awaitReady(Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("the runtime exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri("/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // the port is not open yet
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if the process dies
        }
        throw new AssertionError("the runtime was not ready within " + timeout + ":\n" + log());
    }

    /**
     * Sends SIGTERM to the JVM (the child itself, or its java descendant when it runs under a wrapper
     * such as strace) and waits for the exit code of the child.
     */
    public int terminate(Duration timeout) throws InterruptedException {
        ProcessHandle jvm = process.toHandle().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElse(process.toHandle());
        jvm.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the runtime did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
