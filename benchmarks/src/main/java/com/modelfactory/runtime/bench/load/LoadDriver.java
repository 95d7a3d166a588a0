package com.modelfactory.runtime.bench.load;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line for {@link LoadRun}; run as its own process, apart from the server it measures.
 *
 * <pre>
 * java -cp ... com.modelfactory.runtime.bench.load.LoadDriver --url http://127.0.0.1:5000/predict \
 *     --body a.png --body b.png --content-type image/png -c 32 --warmup 3 --duration 10 --out r.json
 * </pre>
 * Prints a one-line summary; writes the full result as JSON with {@code --out}.
 */
public final class LoadDriver {
    private LoadDriver() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String method = null;
        String contentType = null;
        String label = null;
        String out = null;
        int concurrency = 1;
        int loops = 1;
        double warmup = 2;
        double duration = 10;
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--url" -> url = args[++i];
                case "--method" -> method = args[++i];
                case "--body" -> bodies.add(read(args[++i]));
                case "--content-type" -> contentType = args[++i];
                case "-c", "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--loops" -> loops = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--duration" -> duration = Double.parseDouble(args[++i]);
                case "--label" -> label = args[++i];
                case "--out" -> out = args[++i];
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("unknown argument " + a);
                    usage();
                    System.exit(2);
                }
            }
        }
        if (url == null) {
            usage();
            System.exit(2);
        }
        if (method == null) {
            method = bodies.isEmpty() ? "GET" : "POST";
        }
        LoadRun run = new LoadRun(label == null ? url : label, URI.create(url), method, contentType, bodies,
                concurrency, loops, Duration.ofMillis((long) (warmup * 1000)), Duration.ofMillis((long) (duration * 1000)));
        LoadResult result = run.run();
        System.out.println(result.summary());
        if (out != null) {
            Files.writeString(Path.of(out), result.toJson() + "\n");
        }
    }

    private static byte[] read(String file) throws IOException {
        return Files.readAllBytes(Path.of(file));
    }

    private static void usage() {
        System.err.println("usage: LoadDriver --url URL [--method POST] [--body FILE]... [--content-type T]"
                + " [-c N] [--loops 1] [--warmup S] [--duration S] [--label L] [--out result.json]");
    }
}
