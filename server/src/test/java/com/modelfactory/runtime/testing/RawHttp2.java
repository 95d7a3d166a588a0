package com.modelfactory.runtime.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 client written frame by frame (prior knowledge, h2c), for what real clients do only by
 * accident: HEADERS and RST_STREAM back to back, thousands of them. HPACK comes from Netty's encoder;
 * everything else is the RFC 9113 framing by hand. Connection-level flow control is granted back as
 * DATA arrives, so long runs are not stalled by the client's own window.
 */
public final class RawHttp2 implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder unpack = new DefaultHttp2HeadersDecoder();
    private final int port;

    /** A frame the server sent. */
    public record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        public boolean endStream() {
            return (flags & END_STREAM) != 0 && (type == DATA || type == HEADERS);
        }

        /** A GOAWAY's error code. */
        public long errorCode() {
            return errorCode(4);
        }

        /** The error code at {@code offset} of the payload (0 for RST_STREAM, 4 for GOAWAY). */
        public long errorCode(int offset) {
            return ByteBuffer.wrap(payload, offset, 4).getInt() & 0xffffffffL;
        }
    }

    public RawHttp2(int port) throws IOException {
        this.port = port;
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** A POST's HEADERS (no END_STREAM: a body follows). */
    public void post(int stream, String path, String contentType) throws IOException {
        post(stream, path, contentType, -1);
    }

    /** A POST's HEADERS declaring {@code contentLength} (none when negative). */
    public void post(int stream, String path, String contentType, long contentLength) throws IOException {
        Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").path(path)
                .authority("127.0.0.1:" + port).add("content-type", contentType).add("te", "trailers");
        if (contentLength >= 0) {
            h.add("content-length", Long.toString(contentLength));
        }
        ByteBuf block = Unpooled.buffer();
        try {
            hpack.encodeHeaders(stream, h, block);
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
        byte[] bytes = new byte[block.readableBytes()];
        block.readBytes(bytes);
        frame(HEADERS, END_HEADERS, stream, bytes);
    }

    public void data(int stream, byte[] body, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, stream, body);
    }

    public void reset(int stream, long code) throws IOException {
        frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt((int) code).array());
    }

    public void ping() throws IOException {
        frame(PING, 0, 0, new byte[8]);
    }

    /** How long {@link #next} waits for a frame before it throws. */
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** One whole frame at a time: a reader thread acknowledging SETTINGS must not cut into a writer's frame. */
    private synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(9);
        header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
                .put((byte) type).put((byte) flags).putInt(stream);
        out.write(header.array());
        out.write(payload);
    }

    /**
     * The next frame the server sends, SETTINGS acknowledged and DATA's connection window granted back
     * on the way. @return null when the server closed the connection (or reset it)
     */
    public Frame next() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (type == SETTINGS && (flags & ACK) == 0) {
                frame(SETTINGS, ACK, 0, new byte[0]);
            } else if (type == DATA && length > 0) {
                frame(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(length).array());
            }
            return new Frame(type, flags, stream, payload, type == HEADERS ? decode(stream, flags, payload) : null);
        } catch (EOFException | java.net.SocketException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw new IOException("no frame from the server in " + socket.getSoTimeout() + " ms", e);
        }
    }

    /** Every header block is decoded, in order, as HPACK's shared table requires. */
    private Http2Headers decode(int stream, int flags, byte[] payload) throws IOException {
        int pad = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
        int start = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
        byte[] block = java.util.Arrays.copyOfRange(payload, start, payload.length - pad);
        try {
            return unpack.decodeHeaders(stream, Unpooled.wrappedBuffer(block));
        } catch (Http2Exception e) {
            throw new IOException("header block of stream " + stream + ": " + java.util.HexFormat.of().formatHex(block), e);
        }
    }

    /** Reads until the server ends {@code stream} (or goes away: that frame, or null for a closed socket). */
    public Frame awaitEnd(int stream) throws IOException {
        while (true) {
            Frame f = next();
            if (f == null || f.type() == GOAWAY || (f.stream() == stream && (f.endStream() || f.type() == RST_STREAM))) {
                return f;
            }
        }
    }

    /** Sends a PING and reads until its ACK. @return the ACK, a GOAWAY, or null when the socket closed */
    public Frame pingPong() throws IOException {
        ping();
        flush();
        while (true) {
            Frame f = next();
            if (f == null || f.type() == GOAWAY || (f.type() == PING && (f.flags() & ACK) != 0)) {
                return f;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
