package com.modelfactory.runtime.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds the EXIF orientation (TIFF tag 274 in IFD0) of a JPEG (APP1 "Exif"), PNG (eXIf chunk), WebP
 * (EXIF chunk) or TIFF file, from the encoded bytes. Reads one IFD and follows no offsets but IFD0's,
 * so a hostile file costs at most one pass over its segment or chunk headers; anything malformed
 * means "upright", never an error: orientation is a display hint, the pixels decide validity.
 */
final class ExifOrientationReader {
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;

    private ExifOrientationReader() {
    }

    static Orientation read(byte[] b) {
        try {
            int value;
            if (startsWith(b, 0, 0xff, 0xd8)) {
                value = fromJpeg(b);
            } else if (startsWith(b, 0, 0x89, 'P', 'N', 'G')) {
                value = fromPng(b);
            } else if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
                value = fromWebp(b);
            } else {
                value = fromTiff(b, 0, b.length);
            }
            return Orientation.fromExif(value);
        } catch (IndexOutOfBoundsException malformed) {
            return Orientation.NORMAL;
        }
    }

    /** JPEG: marker segments up to the first scan; APP1 holding "Exif\0\0" then a TIFF structure. */
    private static int fromJpeg(byte[] b) {
        int i = 2;
        while (i + 4 <= b.length && (b[i] & 0xff) == 0xff) {
            int marker = b[i + 1] & 0xff;
            if (marker == 0xda || marker == 0xd9) {
                return 0; // start of scan or end of image: EXIF comes before
            }
            int length = u16(b, i + 2, ByteOrder.BIG_ENDIAN);
            if (marker == 0xe1 && startsWith(b, i + 4, 'E', 'x', 'i', 'f', 0, 0)) {
                return fromTiff(b, i + 10, length - 8);
            }
            i += 2 + length;
        }
        return 0;
    }

    /** PNG: chunks up to the first IDAT; eXIf holds a TIFF structure. */
    private static int fromPng(byte[] b) {
        int i = 8;
        while (i + 8 <= b.length) {
            int length = ByteBuffer.wrap(b, i, 4).getInt();
            if (length < 0) {
                return 0;
            }
            if (startsWith(b, i + 4, 'e', 'X', 'I', 'f')) {
                return fromTiff(b, i + 8, length);
            }
            if (startsWith(b, i + 4, 'I', 'D', 'A', 'T')) {
                return 0;
            }
            i += 12 + length;
        }
        return 0;
    }

    /** WebP: RIFF chunks; EXIF holds a TIFF structure, which some writers prefix with "Exif\0\0". */
    private static int fromWebp(byte[] b) {
        int i = 12;
        while (i + 8 <= b.length) {
            long size = ByteBuffer.wrap(b, i + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            if (size > b.length) {
                return 0;
            }
            if (startsWith(b, i, 'E', 'X', 'I', 'F')) {
                int start = startsWith(b, i + 8, 'E', 'x', 'i', 'f', 0, 0) ? i + 14 : i + 8;
                return fromTiff(b, start, (int) size - (start - i - 8));
            }
            i += 8 + (int) size + (int) (size & 1);
        }
        return 0;
    }

    /** The orientation entry of IFD0 of the TIFF structure at {@code start}, or 0 when there is none. */
    private static int fromTiff(byte[] b, int start, int length) {
        ByteOrder order;
        if (startsWith(b, start, 'I', 'I', 42, 0)) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (startsWith(b, start, 'M', 'M', 0, 42)) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return 0;
        }
        long ifd = ByteBuffer.wrap(b, start + 4, 4).order(order).getInt() & 0xffffffffL;
        if (ifd + 2 > length) {
            return 0;
        }
        int at = start + (int) ifd;
        int entries = u16(b, at, order);
        for (int e = 0; e < entries && at + 2 + 12 * (e + 1) <= start + length; e++) {
            int entry = at + 2 + 12 * e;
            if (u16(b, entry, order) == ORIENTATION_TAG && u16(b, entry + 2, order) == TYPE_SHORT) {
                return u16(b, entry + 8, order);
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int at, ByteOrder order) {
        return ByteBuffer.wrap(b, at, 2).order(order).getShort() & 0xffff;
    }

    private static boolean startsWith(byte[] b, int at, int... prefix) {
        if (at < 0 || at + prefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[at + i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
