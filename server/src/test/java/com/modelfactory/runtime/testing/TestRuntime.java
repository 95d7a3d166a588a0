package com.modelfactory.runtime.testing;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.RuntimeServer;
import com.modelfactory.runtime.lifecycle.StartupException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real runtime on an ephemeral loopback port, and a client for it. */
public final class TestRuntime implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final RuntimeServer server;

    private TestRuntime(RuntimeServer server) {
        this.server = server;
    }

    /**
     * Starts the runtime with these flags plus --host 127.0.0.1 --port 0 --grpc-port 0 (gRPC on the HTTP
     * port only, so parallel runs never meet on 8081; a flag given here wins).
     */
    public static TestRuntime start(String... flags) throws StartupException {
        return start(Map.of(), flags);
    }

    public static TestRuntime start(Map<String, String> env, String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--grpc-port", "0"));
        args.addAll(List.of(flags));
        RuntimeConfig config = ConfigLoader.load(args.toArray(String[]::new), env);
        return new TestRuntime(RuntimeServer.start(config, ConfigLoader.perModel(args.toArray(String[]::new), env)));
    }

    public RuntimeServer server() {
        return server;
    }

    public String name() {
        return server.service().info().name();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> infer(JsonObject request) throws IOException, InterruptedException {
        return post("/v2/models/" + name() + "/infer", "application/json", request.encode().getBytes());
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- fixtures

    public static Path fixtures() {
        return Path.of(System.getProperty("fixtures.dir", "../model-loaders/src/test/fixtures"));
    }

    public static Path fixture(String relative) {
        return fixtures().resolve(relative);
    }

    /** The shared model corpus beside the checkout, or null when it is absent. */
    public static Path sharedModels() {
        Path p = Path.of(System.getProperty("shared.models.dir", "../../shared/models"));
        return Files.isDirectory(p) ? p : null;
    }

    public static JsonObject reference(String fixtureDir) throws IOException {
        return new JsonObject(Files.readString(fixture(fixtureDir).resolve("reference.json")));
    }

    /** The reference inputs as an OIP inference request. */
    public static JsonObject inferRequest(JsonObject reference) {
        JsonArray inputs = new JsonArray();
        JsonObject in = reference.getJsonObject("inputs");
        for (String name : in.fieldNames()) {
            JsonObject t = in.getJsonObject(name);
            inputs.add(new JsonObject().put("name", name).put("datatype", t.getString("datatype"))
                    .put("shape", t.getJsonArray("shape")).put("data", t.getJsonArray("data")));
        }
        return new JsonObject().put("inputs", inputs);
    }

    public static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) a.getValue(i)).doubleValue();
        }
        return out;
    }

    /** Max absolute difference between two equally long arrays. */
    public static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Flattens nested JSON arrays of numbers. */
    public static double[] flatten(Object nested) {
        List<Double> out = new ArrayList<>();
        flatten(nested, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flatten(Object o, List<Double> out) {
        if (o instanceof JsonArray a) {
            a.forEach(x -> flatten(x, out));
        } else {
            out.add(((Number) o).doubleValue());
        }
    }
}
