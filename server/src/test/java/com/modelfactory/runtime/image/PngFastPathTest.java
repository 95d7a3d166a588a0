package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import com.modelfactory.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

class PngFastPathTest {
    private static final long LIMIT = 24_000_000;

    /** Gradients plus noise: ImageIO's writer picks every filter type across the rows of such an image. */
    private static BufferedImage picture(int type, int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        SplittableRandom r = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = r.nextInt(100) < 10 ? r.nextInt(256) : 200;
                int red = Math.min(255, x * 255 / w + r.nextInt(20));
                int green = Math.min(255, y * 255 / h + r.nextInt(20));
                int blue = (x * y) % 256;
                img.setRGB(x, y, a << 24 | red << 16 | green << 8 | blue);
            }
        }
        return img;
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void assertSameAsImageIo(byte[] png) throws IOException {
        BufferedImage fast = PngFastPath.decode(png, LIMIT);
        assertNotNull(fast, "the common PNG takes the fast path");
        BufferedImage io = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(io.getWidth(), fast.getWidth());
        assertEquals(io.getHeight(), fast.getHeight());
        assertEquals(io.getColorModel().getNumComponents(), fast.getColorModel().getNumComponents());
        int[] a = io.getRaster().getPixels(0, 0, io.getWidth(), io.getHeight(), (int[]) null);
        int[] b = fast.getRaster().getPixels(0, 0, fast.getWidth(), fast.getHeight(), (int[]) null);
        assertArrayEquals(a, b, "the same samples as ImageIO's reader");
        assertArrayEquals(io.getRGB(0, 0, io.getWidth(), io.getHeight(), null, 0, io.getWidth()),
                fast.getRGB(0, 0, fast.getWidth(), fast.getHeight(), null, 0, fast.getWidth()));
    }

    @Test
    void rgbRgbaAndGrayDecodeToTheSameSamplesAsImageIo() throws IOException {
        for (int[] size : new int[][] {{1, 1}, {32, 32}, {33, 7}, {224, 224}, {301, 211}}) {
            assertSameAsImageIo(png(picture(BufferedImage.TYPE_3BYTE_BGR, size[0], size[1], 1)));
            assertSameAsImageIo(png(picture(BufferedImage.TYPE_4BYTE_ABGR, size[0], size[1], 2)));
            assertSameAsImageIo(png(picture(BufferedImage.TYPE_BYTE_GRAY, size[0], size[1], 3)));
        }
    }

    @Test
    void aStreamSplitOverManyIdatChunksIsReadAcrossThem() throws IOException {
        byte[] png = png(picture(BufferedImage.TYPE_3BYTE_BGR, 640, 480, 4)); // ImageIO writes 32 KB chunks
        assertSameAsImageIo(png);
        assertSameAsImageIo(Files.readAllBytes(TestRuntime.fixture("images/cat32.png")));
    }

    @Test
    void otherKindsOfPngAreLeftToImageIo() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7 interlacing
        BufferedImage img = picture(BufferedImage.TYPE_3BYTE_BGR, 40, 30, 5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.setOutput(ImageIO.createImageOutputStream(out));
        writer.write(null, new IIOImage(img, null, null), param);
        assertNull(PngFastPath.decode(out.toByteArray(), LIMIT), "interlaced");
        assertNull(PngFastPath.decode(png(picture(BufferedImage.TYPE_BYTE_INDEXED, 20, 20, 6)), LIMIT), "palette");
        assertNull(PngFastPath.decode(png(picture(BufferedImage.TYPE_USHORT_GRAY, 20, 20, 7)), LIMIT), "16-bit");
        assertNull(PngFastPath.decode(png(picture(BufferedImage.TYPE_3BYTE_BGR, 100, 100, 8)), 9_999), "over the limit");
        assertNull(PngFastPath.decode(new byte[] {1, 2, 3}, LIMIT), "not a PNG");
    }

    @Test
    void aCutOrCorruptFileIsLeftToImageIo() throws IOException {
        byte[] png = png(picture(BufferedImage.TYPE_3BYTE_BGR, 64, 64, 9));
        assertNull(PngFastPath.decode(Arrays.copyOf(png, png.length / 2), LIMIT), "cut in half");
        assertNull(PngFastPath.decode(Arrays.copyOf(png, png.length - 12), LIMIT), "no IEND");
        byte[] corrupt = png.clone();
        for (int i = 60; i < 90; i++) {
            corrupt[i] ^= 0x5a;
        }
        assertNull(PngFastPath.decode(corrupt, LIMIT), "IDAT bytes flipped");
        for (String name : new String[] {"png-corrupt-idat.png", "png-no-idat.png"}) {
            assertNull(PngFastPath.decode(TestImages.corpus(name), LIMIT), name);
        }
    }

    @Test
    void aTransparencyKeySendsTheFileToImageIo() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        BufferedImage img = picture(BufferedImage.TYPE_3BYTE_BGR, 16, 16, 10);
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
        IIOMetadataNode trns = new IIOMetadataNode("tRNS");
        IIOMetadataNode rgb = new IIOMetadataNode("tRNS_RGB");
        rgb.setAttribute("red", "1");
        rgb.setAttribute("green", "2");
        rgb.setAttribute("blue", "3");
        trns.appendChild(rgb);
        root.appendChild(trns);
        meta.mergeTree("javax_imageio_png_1.0", root);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.setOutput(ImageIO.createImageOutputStream(out));
        writer.write(new IIOImage(img, null, meta));
        assertNull(PngFastPath.decode(out.toByteArray(), LIMIT), "a transparency key changes what pixels mean");
    }
}
