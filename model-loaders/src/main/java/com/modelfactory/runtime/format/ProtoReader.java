package com.modelfactory.runtime.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads protobuf wire format field by field straight from a file, without loading it: enough to tell an
 * ONNX ModelProto from a TensorFlow GraphDef or SavedModel by their top-level fields, even for multi-GB
 * files (large fields are skipped by their length, not read).
 */
final class ProtoReader implements Closeable {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    /** One field: its number and wire type; for LEN fields where the payload starts and how long it is. */
    record Field(int number, int wireType, long varint, long payloadStart, long payloadLength, long next) {
    }

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(64 * 1024);
    private long windowStart = -1;
    private int windowLength;

    ProtoReader(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.size = channel.size();
    }

    long size() {
        return size;
    }

    private int byteAt(long pos) throws IOException {
        if (windowStart < 0 || pos < windowStart || pos >= windowStart + windowLength) {
            window.clear();
            windowStart = pos;
            windowLength = 0;
            while (window.hasRemaining()) {
                int n = channel.read(window, pos + window.position());
                if (n < 0) {
                    break;
                }
            }
            windowLength = window.position();
            if (windowLength == 0) {
                return -1;
            }
        }
        return window.get((int) (pos - windowStart)) & 0xff;
    }

    /** The field starting at {@code pos}, or null when the bytes there are not a well-formed field ending by {@code end}. */
    Field field(long pos, long end) throws IOException {
        long[] tag = varint(pos, end);
        if (tag == null) {
            return null;
        }
        long number = tag[0] >>> 3;
        int wireType = (int) (tag[0] & 7);
        if (number == 0 || number > 536_870_911L) {
            return null;
        }
        long p = tag[1];
        switch (wireType) {
            case VARINT -> {
                long[] v = varint(p, end);
                return v == null ? null : new Field((int) number, wireType, v[0], -1, 0, v[1]);
            }
            case FIXED64 -> {
                return p + 8 <= end ? new Field((int) number, wireType, 0, p, 8, p + 8) : null;
            }
            case FIXED32 -> {
                return p + 4 <= end ? new Field((int) number, wireType, 0, p, 4, p + 4) : null;
            }
            case LEN -> {
                long[] len = varint(p, end);
                if (len == null || len[0] < 0 || len[1] + len[0] > end) {
                    return null;
                }
                return new Field((int) number, wireType, 0, len[1], len[0], len[1] + len[0]);
            }
            default -> {
                return null; // groups (3, 4) are not used by any format we read; 6, 7 do not exist
            }
        }
    }

    /** {value, next position}, or null when malformed or past {@code end}. */
    private long[] varint(long pos, long end) throws IOException {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (pos + i >= end) {
                return null;
            }
            int b = byteAt(pos + i);
            if (b < 0) {
                return null;
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return new long[] {value, pos + i + 1};
            }
        }
        return null;
    }

    byte[] bytes(long pos, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buf.array();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
