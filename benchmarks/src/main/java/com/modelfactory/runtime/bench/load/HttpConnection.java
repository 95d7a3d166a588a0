package com.modelfactory.runtime.bench.load;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 client connection over a plain blocking socket, kept alive between requests.
 *
 * <p>Hand-written instead of java.net.http because the driver must cost far less CPU than the server
 * it measures on the same two cores: a request is one pre-encoded byte array and one write, a response
 * is parsed in place from one buffer. Servers that close after each response (gunicorn's sync worker)
 * are followed by reconnecting, as a browser or wrk would.
 */
final class HttpConnection implements Closeable {
    private final InetSocketAddress address;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private long connects;
    private byte[] lastBody = new byte[0];
    private boolean keepBody;

    HttpConnection(InetSocketAddress address) {
        this.address = address;
    }

    /** Keeps the last response body (for checking what a server answered); off by default to save copies. */
    void keepBody(boolean keep) {
        this.keepBody = keep;
    }

    byte[] lastBody() {
        return lastBody;
    }

    /** How many TCP connections this client opened (1 for a keep-alive server). */
    long connects() {
        return connects;
    }

    /**
     * Sends one complete pre-encoded request and reads the whole response.
     *
     * @return the HTTP status code
     */
    int exchange(byte[] request) throws IOException {
        boolean fresh = ensureOpen();
        try {
            return send(request);
        } catch (EOFException e) {
            // A kept-alive connection the server closed while idle: retry once on a new one.
            if (fresh) {
                throw e;
            }
            close();
            ensureOpen();
            return send(request);
        }
    }

    private int send(byte[] request) throws IOException {
        out.write(request);
        return readResponse();
    }

    private boolean ensureOpen() throws IOException {
        if (socket != null) {
            return false;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(address, 5_000);
        s.setSoTimeout(120_000);
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
        pos = 0;
        lim = 0;
        connects++;
        return true;
    }

    private int readResponse() throws IOException {
        String statusLine = readLine();
        // "HTTP/1.1 200 OK"
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        boolean http10 = statusLine.charAt(7) == '0';
        long contentLength = -1;
        boolean chunked = false;
        boolean close = http10;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                close = value.equalsIgnoreCase("close");
                if (value.equalsIgnoreCase("keep-alive")) {
                    close = false;
                }
            }
        }
        if (chunked) {
            readChunked();
        } else if (contentLength >= 0) {
            readBody(contentLength);
        } else {
            readToEof();
            close = true;
        }
        if (close) {
            close();
        }
        return status;
    }

    private void readChunked() throws IOException {
        java.io.ByteArrayOutputStream body = keepBody ? new java.io.ByteArrayOutputStream() : null;
        while (true) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                // Trailers end with an empty line.
                while (!readLine().isEmpty()) {
                    // skip trailer
                }
                break;
            }
            readBodyInto(size, body);
            readLine();
        }
        if (body != null) {
            lastBody = body.toByteArray();
        }
    }

    private void readBody(long length) throws IOException {
        java.io.ByteArrayOutputStream body = keepBody ? new java.io.ByteArrayOutputStream((int) length) : null;
        readBodyInto(length, body);
        if (body != null) {
            lastBody = body.toByteArray();
        }
    }

    private void readBodyInto(long length, java.io.ByteArrayOutputStream body) throws IOException {
        long left = length;
        while (left > 0) {
            if (pos == lim) {
                fill();
            }
            int n = (int) Math.min(left, lim - pos);
            if (body != null) {
                body.write(buf, pos, n);
            }
            pos += n;
            left -= n;
        }
    }

    private void readToEof() throws IOException {
        java.io.ByteArrayOutputStream body = keepBody ? new java.io.ByteArrayOutputStream() : null;
        while (true) {
            if (pos == lim) {
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    break;
                }
                pos = 0;
                lim = n;
            }
            if (body != null) {
                body.write(buf, pos, lim - pos);
            }
            pos = lim;
        }
        if (body != null) {
            lastBody = body.toByteArray();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == lim) {
                fill();
            }
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (line == null) {
                        return part;
                    }
                    line.append(part);
                    // A \r that ended the previous fill belongs to this line ending.
                    int len = line.length();
                    if (len > 0 && line.charAt(len - 1) == '\r') {
                        line.setLength(len - 1);
                    }
                    return line.toString();
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            line.append(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1));
            pos = lim;
        }
    }

    private void fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            throw new EOFException("server closed the connection");
        }
        pos = 0;
        lim = n;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we are done with
            }
        }
        socket = null;
        in = null;
        out = null;
        pos = 0;
        lim = 0;
    }
}
