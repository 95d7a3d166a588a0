package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A model store on 127.0.0.1 made of a raw server socket, so that faults a real server never makes on
 * purpose can be scripted: each connection takes the next {@link Reply} (the last one repeats). Requests
 * are recorded for assertions. Stalled replies wait on a latch released by {@link #close()}.
 */
public final class LoopbackStore implements AutoCloseable {
    /** One recorded request: the request target (path and query) and headers (names lower-cased). */
    public record Request(String target, Map<String, String> headers) {
    }

    /** How the store answers one connection. */
    public interface Reply {
        void write(Socket socket, OutputStream out, CountDownLatch closing) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread acceptor;

    public LoopbackStore(Reply... replies) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        script.addAll(List.of(replies));
        acceptor = new Thread(this::acceptLoop, "loopback-store");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public List<Request> requests() {
        return requests;
    }

    private synchronized Reply next() {
        return script.size() > 1 ? script.poll() : script.peek();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> handle(s), "loopback-store-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            String head = com.modelfactory.runtime.testing.HttpHead.read(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
                }
            }
            requests.add(new Request(lines[0].split(" ")[1], headers));
            OutputStream out = socket.getOutputStream();
            next().write(socket, out, closing);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away: part of several fault scripts
        }
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
    }

    // ---- replies ----

    public static Reply ok(byte[] body) {
        return ok(body, Map.of());
    }

    public static Reply ok(byte[] body, Map<String, String> extraHeaders) {
        return (socket, out, closing) -> {
            writeHead(out, 200, body.length, extraHeaders);
            out.write(body);
        };
    }

    public static Reply status(int code) {
        byte[] body = ("{\"error\":\"status " + code + "\"}").getBytes(StandardCharsets.UTF_8);
        return (socket, out, closing) -> {
            writeHead(out, code, body.length, Map.of());
            out.write(body);
        };
    }

    /** A 302 to {@code location}. */
    public static Reply redirect(String location) {
        return (socket, out, closing) -> writeHead(out, 302, 0, Map.of("Location", location));
    }

    /** Announces the whole body, sends only {@code sent} bytes and closes cleanly. */
    public static Reply truncated(byte[] body, int sent) {
        return (socket, out, closing) -> {
            writeHead(out, 200, body.length, Map.of());
            out.write(body, 0, sent);
        };
    }

    /** Sends part of the body, then resets the connection (RST, not FIN). */
    public static Reply resetMidBody(byte[] body, int sent) {
        return (socket, out, closing) -> {
            writeHead(out, 200, body.length, Map.of());
            out.write(body, 0, sent);
            out.flush();
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    /** Sends the headers and part of the body, then goes silent until the store closes. */
    public static Reply stallMidBody(byte[] body, int sent) {
        return (socket, out, closing) -> {
            writeHead(out, 200, body.length, Map.of());
            out.write(body, 0, sent);
            out.flush();
            closing.await();
        };
    }

    /** Never answers: the client's timeout for the response headers must fire. */
    public static Reply stallBeforeHeaders() {
        return (socket, out, closing) -> closing.await();
    }

    /**
     * Sends the body in {@code chunks} pieces {@code pauseMillis} apart: slow in total (longer than the read
     * timeout), never idle for long. The pauses simulate a slow network on the server side.
     */
    public static Reply trickle(byte[] body, int chunks, long pauseMillis) {
        return (socket, out, closing) -> {
            writeHead(out, 200, body.length, Map.of());
            int step = (body.length + chunks - 1) / chunks;
            for (int off = 0; off < body.length; off += step) {
                out.write(body, off, Math.min(step, body.length - off));
                out.flush();
                Thread.sleep(pauseMillis);
            }
        };
    }

    private static void writeHead(OutputStream out, int status, long length, Map<String, String> extra) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Length: ").append(length).append("\r\n")
                .append("Content-Type: application/octet-stream\r\n")
                .append("Connection: close\r\n");
        extra.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("\r\n");
        try {
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        } catch (SocketException e) {
            throw e;
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 302 -> "Found";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
