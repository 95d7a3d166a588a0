package com.modelfactory.runtime.batch;

import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Prometheus {@code GET /metrics} while a batch runs, and nothing else (404), on metrics_host (loopback
 * unless configured). The JDK's own HTTP server: one scrape every few seconds needs no event loop.
 */
final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    static MetricsEndpoint start(String host, int port, RuntimeMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        return new MetricsEndpoint(server);
    }

    private static void handle(HttpExchange exchange, RuntimeMetrics metrics) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean get = exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD");
            byte[] body;
            int status;
            if (path.equals("/metrics") && get) {
                body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                status = 200;
                exchange.getResponseHeaders().set("Content-Type", RuntimeMetrics.CONTENT_TYPE);
            } else {
                body = "{\"error\": \"only GET /metrics is served in batch mode\"}".getBytes(StandardCharsets.UTF_8);
                status = 404;
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
