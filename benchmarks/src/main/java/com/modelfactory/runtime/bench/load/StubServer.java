package com.modelfactory.runtime.bench.load;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A trivial loopback HTTP/1.1 server that reads each request fully and answers a fixed small JSON body.
 * It gives the load driver's own ceiling (how many requests per second the driver can produce when the
 * server costs almost nothing) and backs the harness smoke test.
 */
public final class StubServer implements Closeable {
    private static final byte[] BODY = "{\"ok\":true}".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int status;
    private final boolean closeEach;
    private final AtomicLong served = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param status    the status code every response carries
     * @param closeEach answer "Connection: close" and close after every response (as gunicorn's sync
     *                  worker does)
     */
    public StubServer(int port, int status, boolean closeEach) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        this.status = status;
        this.closeEach = closeEach;
        Thread acceptor = new Thread(this::acceptLoop, "stub-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public long served() {
        return served.get();
    }

    private void acceptLoop() {
        while (running) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(s), "stub-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (running) {
                    System.err.println("stub accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        byte[] response = (("HTTP/1.1 " + status + (status == 200 ? " OK" : " Error") + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + BODY.length + "\r\n"
                + (closeEach ? "Connection: close\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] full = new byte[response.length + BODY.length];
        System.arraycopy(response, 0, full, 0, response.length);
        System.arraycopy(BODY, 0, full, response.length, BODY.length);
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            RequestReader reader = new RequestReader(in);
            while (reader.next()) {
                served.incrementAndGet();
                out.write(full);
                if (closeEach) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
    }

    /** Runs a stub on a port until killed: {@code StubServer [port] [--close]}. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8099;
        boolean close = args.length > 1 && args[1].equals("--close");
        StubServer stub = new StubServer(port, 200, close);
        System.out.println("stub listening on 127.0.0.1:" + stub.port());
        Thread.currentThread().join();
    }

    /** Reads request heads and skips their bodies (Content-Length only; the driver never chunks). */
    private static final class RequestReader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;

        RequestReader(InputStream in) {
            this.in = in;
        }

        boolean next() throws IOException {
            long contentLength = 0;
            StringBuilder line = new StringBuilder();
            boolean first = true;
            while (true) {
                if (pos == lim) {
                    lim = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (lim < 0) {
                        lim = 0;
                        return false;
                    }
                }
                byte c = buf[pos++];
                if (c == '\n') {
                    int len = line.length();
                    if (len > 0 && line.charAt(len - 1) == '\r') {
                        line.setLength(len - 1);
                    }
                    if (line.length() == 0 && !first) {
                        break;
                    }
                    String l = line.toString();
                    if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                        contentLength = Long.parseLong(l.substring(15).trim());
                    }
                    first = false;
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            long left = contentLength;
            while (left > 0) {
                if (pos == lim) {
                    lim = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (lim < 0) {
                        lim = 0;
                        return false;
                    }
                }
                int n = (int) Math.min(left, lim - pos);
                pos += n;
                left -= n;
            }
            return true;
        }
    }
}
