package com.modelfactory.runtime.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Images made in the tests, the hostile corpus, and the allocation counter the memory tests use. */
final class TestImages {
    private TestImages() {
    }

    /** A file of the hostile corpus (server/src/test/resources/hostile-images, made by its generate.py). */
    static byte[] corpus(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/hostile-images/" + name)) {
            if (in == null) {
                throw new AssertionError("no corpus file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes allocated on the heap by this thread so far. */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Smooth gradients with some texture: compresses and subsamples like a photo. */
    static BufferedImage photo(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                row[x] = ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | ((x / 8 + y / 8) % 2 == 0 ? 60 : 90);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A JPEG at the highest quality (so colour blocks survive for orientation checks). */
    static byte[] jpeg(BufferedImage img, boolean progressive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(1f);
        if (progressive) {
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        try (ImageOutputStream o = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(o);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A big-endian TIFF structure with one IFD holding only Orientation (tag 274). */
    static byte[] exifOrientation(int value) {
        return new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
            0, (byte) value, 0, 0, 0, 0, 0, 0};
    }

    /** The JPEG with an APP1 Exif segment holding the orientation, right after SOI. */
    static byte[] withJpegExif(byte[] jpeg, int orientation) {
        byte[] tiff = exifOrientation(orientation);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + 6 + tiff.length;
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe1, (byte) (length >> 8), (byte) length,
            'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** The PNG with an eXIf chunk holding the orientation, right after IHDR. */
    static byte[] withPngExif(byte[] png, int orientation) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        out.writeBytes(pngChunk("eXIf", exifOrientation(orientation)));
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    static byte[] pngChunk(String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(int32(data.length));
        byte[] kind = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(kind);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(kind);
        crc.update(data);
        out.writeBytes(int32((int) crc.getValue()));
        return out.toByteArray();
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
