package com.modelfactory.runtime.image;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The common PNG, decoded without ImageIO: 8-bit gray, RGB or RGBA, not interlaced, no chunk that
 * changes what the pixels mean (no palette, ICC profile or transparency key). That is what cameras,
 * browsers and PIL write, and ImageIO's reader spends more than the pixels on it: a 32x32 image
 * allocated ~42 KB (reader, metadata, stream buffers, a fresh Inflater) and half of a tiny model's
 * garbage per request. Here the IDAT stream is inflated row by row with a per-thread Inflater straight
 * into the image's bytes, and the filters are undone in place.
 *
 * <p>Anything else, and anything unexpected (a bad chunk, a short or corrupt stream), returns null and
 * the caller decodes with ImageIO as before, so errors and every other kind of PNG behave exactly as
 * they did. The returned image is what ImageIO gives for such a file: TYPE_BYTE_GRAY, or interleaved
 * sRGB bytes in R, G, B(, A) order.
 */
final class PngFastPath {
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;
    /** Chunks ImageIO's reader does not apply to the pixel values: safe to skip here. */
    private static final Set<String> IGNORED = Set.of("tEXt", "zTXt", "iTXt", "pHYs", "tIME", "gAMA", "cHRM",
            "sRGB", "bKGD", "sBIT", "eXIf");
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    private PngFastPath() {
    }

    /** Width and height from the IHDR chunk of a PNG file, or null when the bytes are not one. */
    static int[] size(byte[] png) {
        if (png.length < 33 || readLong(png, 0) != SIGNATURE || readInt(png, 8) != 13 || !type(png, 12, "IHDR")) {
            return null;
        }
        return new int[] {readInt(png, 16), readInt(png, 20)};
    }

    /** @return the image, or null when this file is for ImageIO (not the common kind, or not well-formed) */
    static BufferedImage decode(byte[] png, long maxPixels) {
        int[] size = size(png);
        if (size == null) {
            return null;
        }
        int width = size[0];
        int height = size[1];
        int depth = png[24];
        int colorType = png[25];
        int channels = switch (colorType) {
            case 0 -> 1;
            case 2 -> 3;
            case 6 -> 4;
            default -> 0;
        };
        if (width <= 0 || height <= 0 || (long) width * height > maxPixels || depth != 8 || channels == 0
                || png[26] != 0 || png[27] != 0 || png[28] != 0) {
            return null; // sizes are refused by ImageDecoder; other kinds and interlacing go to ImageIO
        }
        long stride = (long) width * channels;
        if (stride * height > Integer.MAX_VALUE - 8) {
            return null;
        }
        byte[] pixels = new byte[(int) (stride * height)];
        Inflater inflater = INFLATER.get();
        inflater.reset();
        try {
            return inflate(png, inflater, pixels, (int) stride, channels) ? ByteImages.wrap(pixels, width, height, channels)
                    : null;
        } catch (DataFormatException | RuntimeException e) {
            return null;
        } finally {
            inflater.reset();
        }
    }

    /**
     * Inflates every IDAT chunk's data into rows and undoes their filters (for 8-bit samples a pixel is
     * {@code bpp} = channels bytes); false when the file is not well-formed.
     */
    private static boolean inflate(byte[] png, Inflater inflater, byte[] pixels, int stride, int bpp)
            throws DataFormatException {
        int height = pixels.length / stride;
        byte[] row = new byte[stride + 1];
        int y = 0;
        int filled = 0;
        boolean sawData = false;
        int pos = 33;
        while (pos + 12 <= png.length) {
            int length = readInt(png, pos);
            if (length < 0 || pos + 12L + length > png.length) {
                return false;
            }
            int data = pos + 8;
            if (type(png, pos + 4, "IDAT")) {
                sawData = true;
                inflater.setInput(png, data, length);
                while (y < height) {
                    int n = inflater.inflate(row, filled, row.length - filled);
                    filled += n;
                    if (filled == row.length) {
                        if (!unfilter(row, pixels, y, stride, bpp)) {
                            return false;
                        }
                        y++;
                        filled = 0;
                    } else if (n == 0) {
                        if (inflater.finished() || inflater.needsDictionary()) {
                            return false; // the stream ended before the last row
                        }
                        break; // the next IDAT chunk continues the stream
                    }
                }
            } else if (type(png, pos + 4, "IEND")) {
                return y == height && sawData;
            } else if (!IGNORED.contains(new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1))) {
                return false; // PLTE, tRNS, iCCP, an unknown chunk...: ImageIO's business
            }
            pos = data + length + 4;
        }
        return false; // no IEND
    }

    /** Undoes row y's filter (PNG filter types 0-4) into pixels; false for an unknown filter type. */
    private static boolean unfilter(byte[] row, byte[] pixels, int y, int stride, int bpp) {
        int out = y * stride;
        int prev = out - stride;
        switch (row[0]) {
            case 0 -> System.arraycopy(row, 1, pixels, out, stride);
            case 1 -> {
                for (int i = 0; i < stride; i++) {
                    int left = i >= bpp ? pixels[out + i - bpp] : 0;
                    pixels[out + i] = (byte) (row[i + 1] + left);
                }
            }
            case 2 -> {
                for (int i = 0; i < stride; i++) {
                    int up = y > 0 ? pixels[prev + i] : 0;
                    pixels[out + i] = (byte) (row[i + 1] + up);
                }
            }
            case 3 -> {
                for (int i = 0; i < stride; i++) {
                    int left = i >= bpp ? pixels[out + i - bpp] & 0xff : 0;
                    int up = y > 0 ? pixels[prev + i] & 0xff : 0;
                    pixels[out + i] = (byte) (row[i + 1] + ((left + up) >>> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < stride; i++) {
                    int a = i >= bpp ? pixels[out + i - bpp] & 0xff : 0;
                    int b = y > 0 ? pixels[prev + i] & 0xff : 0;
                    int c = i >= bpp && y > 0 ? pixels[prev + i - bpp] & 0xff : 0;
                    pixels[out + i] = (byte) (row[i + 1] + paeth(a, b, c));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }


    private static boolean type(byte[] b, int at, String type) {
        return b[at] == type.charAt(0) && b[at + 1] == type.charAt(1) && b[at + 2] == type.charAt(2)
                && b[at + 3] == type.charAt(3);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static long readLong(byte[] b, int at) {
        return (readInt(b, at) & 0xffffffffL) << 32 | (readInt(b, at + 4) & 0xffffffffL);
    }
}
