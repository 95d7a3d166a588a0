package com.modelfactory.runtime.cds;

import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.lifecycle.RuntimeServer;
import java.time.Duration;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A training start for an application class-data archive (AppCDS): serves the bundled model on a
 * loopback port, answers one request on every route a client uses, then exits so that
 * {@code -XX:ArchiveClassesAtExit} writes the classes it loaded. With the archive the JVM maps those
 * classes instead of loading and verifying ~3,000 of them: the larger part of a cold start.
 * Run by {@code server/bin/cds-archive} (image build, benchmarks); never by the server itself.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {
    }

    public static void main(String[] args) throws Exception {
        RuntimeServer server = RuntimeServer.start(ConfigLoader.load(
                new String[] {"--host", "127.0.0.1", "--port", "0", "--grpc-port", "0"}, Map.of()));
        int failures = 0;
        try {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String name = server.service().info().name();
            String infer = "/v2/models/" + name + "/infer";
            failures += call(client, base + "/predict?top_k=1", "image/png", png());
            failures += call(client, base + infer, "application/json", inferBody(server.service().info().signature()).getBytes());
            for (String path : new String[] {"/v2/health/ready", "/v2/models/" + name, "/metrics",
                    "/model", "/no-such-route"}) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                failures += path.equals("/no-such-route") ? (r.statusCode() == 404 ? 0 : 1) : (r.statusCode() == 200 ? 0 : 1);
            }
        } finally {
            server.drainAndStop(Duration.ofSeconds(2));
        }
        if (failures > 0) {
            System.err.println("class-data training: " + failures + " request(s) failed");
            System.exit(1);
        }
        System.exit(0); // the archive is written at exit
    }

    private static int call(HttpClient client, String url, String type, byte[] body)
            throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? 0 : 1;
    }

    private static byte[] png() throws IOException {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static String inferBody(Signature signature) {
        StringBuilder b = new StringBuilder("{\"inputs\":[");
        for (TensorSpec spec : signature.inputs()) {
            long[] shape = spec.shape();
            long n = 1;
            StringBuilder dims = new StringBuilder();
            for (int i = 0; i < shape.length; i++) {
                long d = shape[i] < 0 ? 1 : shape[i];
                n *= d;
                dims.append(i == 0 ? "" : ",").append(d);
            }
            b.append(b.charAt(b.length() - 1) == '[' ? "" : ",").append("{\"name\":\"").append(spec.name())
                    .append("\",\"shape\":[").append(dims).append("],\"datatype\":\"").append(spec.dataType().name())
                    .append("\",\"data\":[").append("0,".repeat((int) n - 1)).append("0]}");
        }
        return b.append("]}").toString();
    }
}
