package com.modelfactory.runtime.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * Finds where one HTTP/1.1 response ends in the bytes received so far, without copying them.
 * Handles Content-Length, chunked bodies and bodies that end when the server closes the connection.
 */
final class ResponseParser {
    /** Returned by {@link #parse} while the response is not complete yet. */
    static final int INCOMPLETE = -1;

    private int status;
    private boolean close;

    private ResponseParser() {
    }

    static ResponseParser create() {
        return new ResponseParser();
    }

    int status() {
        return status;
    }

    /** Whether the server said it will close the connection after this response. */
    boolean close() {
        return close;
    }

    /**
     * @param eof whether the server has closed the connection (ends a body without a length)
     * @return the length of the complete response at the start of {@code buf}, or {@link #INCOMPLETE}
     * @throws IllegalStateException when the bytes are not an HTTP response
     */
    int parse(byte[] buf, int len, boolean eof) {
        int headEnd = indexOf(buf, 0, len);
        if (headEnd < 0) {
            if (len >= 5 && !startsWith(buf, "HTTP/")) {
                throw new IllegalStateException("not an HTTP response: " + new String(buf, 0, Math.min(len, 40),
                        StandardCharsets.ISO_8859_1));
            }
            return INCOMPLETE;
        }
        int bodyStart = headEnd + 4;
        String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("HTTP/1.") || head.length() < 12) {
            throw new IllegalStateException("not an HTTP response: " + head.lines().findFirst().orElse(""));
        }
        status = Integer.parseInt(head.substring(9, 12));
        close = head.charAt(7) == '0';
        long contentLength = -1;
        boolean chunked = false;
        int lineStart = head.indexOf("\r\n") + 2;
        while (lineStart > 1 && lineStart < head.length()) {
            int lineEnd = head.indexOf("\r\n", lineStart);
            if (lineEnd < 0) {
                lineEnd = head.length();
            }
            int colon = head.indexOf(':', lineStart);
            if (colon > lineStart && colon < lineEnd) {
                String name = head.substring(lineStart, colon).trim();
                String value = head.substring(colon + 1, lineEnd).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    contentLength = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("transfer-encoding")) {
                    chunked = value.toLowerCase().contains("chunked");
                } else if (name.equalsIgnoreCase("connection")) {
                    close = value.equalsIgnoreCase("close");
                }
            }
            lineStart = lineEnd + 2;
        }
        if (chunked) {
            return chunkedEnd(buf, bodyStart, len);
        }
        if (contentLength >= 0) {
            long end = bodyStart + contentLength;
            return end <= len ? (int) end : INCOMPLETE;
        }
        if (status / 100 == 1 || status == 204 || status == 304) {
            return bodyStart;
        }
        close = true;
        return eof ? len : INCOMPLETE;
    }

    private static int chunkedEnd(byte[] buf, int from, int len) {
        int p = from;
        while (true) {
            int lineEnd = indexOfCrlf(buf, p, len);
            if (lineEnd < 0) {
                return INCOMPLETE;
            }
            String sizeLine = new String(buf, p, lineEnd - p, StandardCharsets.ISO_8859_1);
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            p = lineEnd + 2;
            if (size == 0) {
                // Optional trailers, then an empty line.
                while (true) {
                    int end = indexOfCrlf(buf, p, len);
                    if (end < 0) {
                        return INCOMPLETE;
                    }
                    if (end == p) {
                        return p + 2;
                    }
                    p = end + 2;
                }
            }
            p += size + 2;
            if (p > len) {
                return INCOMPLETE;
            }
        }
    }

    private static boolean startsWith(byte[] buf, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Index of "\r\n\r\n" in buf[0, len), or -1. */
    private static int indexOf(byte[] buf, int from, int len) {
        for (int i = from; i + 3 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] buf, int from, int len) {
        for (int i = from; i + 1 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
