package com.modelfactory.runtime.image;

import static com.modelfactory.runtime.image.TestImages.allocated;
import static com.modelfactory.runtime.image.TestImages.corpus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.error.ServingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Header bombs, truncated and corrupt files: refused before their pixels are allocated, always typed. */
class ImageDecoderTest {
    /** The auto limit of a fixed-size model input. */
    private static final ImageDecoder DECODER = new ImageDecoder(ImageInput.AUTO_MAX_PIXELS_FIXED_SIZE, true);
    /** Far below any bomb's pixel count (400 M pixels is 400 MB even at one byte a pixel). */
    private static final long HEADER_ONLY_BYTES = 8 << 20;

    private static ServingException refused(byte[] bytes) {
        return assertThrows(ServingException.class, () -> DECODER.decode(bytes, 224, 224));
    }

    @Test
    void the35ByteGifWhoseFrameSays20000x20000IsRefusedWithoutAllocatingIt() {
        byte[] gif = corpus("gif-frame-header-20000x20000.gif");
        assertEquals(35, gif.length);
        long before = allocated();
        ServingException e = refused(gif);
        long used = allocated() - before;
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("20000x20000") && e.getMessage().contains("MAX_IMAGE_PIXELS"), e.getMessage());
        assertTrue(used < HEADER_ONLY_BYTES, used + " bytes allocated");
    }

    @Test
    void aValid420KbPngOf12000x12000IsRefusedWithoutAllocatingIt() throws IOException {
        byte[] png = blackPng(12000, 12000);
        assertTrue(png.length > 300_000 && png.length < 600_000, png.length + " bytes");
        assertNotNull(ImageIO.getImageReaders(ImageIO.createImageInputStream(new ByteArrayInputStream(png))).next());
        long before = allocated();
        ServingException e = refused(png);
        long used = allocated() - before;
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind(), e.getMessage());
        assertTrue(used < HEADER_ONLY_BYTES, used + " bytes allocated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png-header-20000x20000.png", "png-complete-12000x12000-1bit.png",
        "gif-10000-frames-each-20000x20000.gif", "gif-screen-65535x65535.gif", "jpeg-header-20000x20000.jpg",
        "jpeg-progressive-header-20000x20000.jpg", "bmp-rle8-header-20000x20000.bmp",
        "webp-lossless-header-16383x16383.webp", "webp-lossy-header-16383x16383.webp",
        "webp-extended-canvas-16777216x16777216.webp", "tiff-header-40000x40000.tif"})
    void headerBombsOfEveryFormatAre413BeforeDecoding(String file) {
        long before = allocated();
        ServingException e = refused(corpus(file));
        long used = allocated() - before;
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind(), file + ": " + e.getMessage());
        assertTrue(used < HEADER_ONLY_BYTES, file + ": " + used + " bytes allocated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png-truncated-half.png", "png-corrupt-idat.png", "png-no-idat.png", "png-zero-width.png",
        "gif-truncated-half.gif", "gif-zero-size-frame.gif", "gif-no-frames.gif", "jpeg-truncated-half.jpg",
        "jpeg-progressive-truncated-half.jpg", "jpeg-soi-only.jpg", "jpeg-zero-height.jpg", "bmp-truncated-half.bmp",
        "bmp-zero-width.bmp", "bmp-header-20000x20000.bmp", "webp-lossless-truncated-half.webp",
        "webp-lossy-truncated-half.webp", "webp-riff-only.webp", "tiff-truncated-half.tif",
        "tiff-deflate-truncated-half.tif", "tiff-zero-width.tif", "empty.bin", "text.txt", "random-1k.bin"})
    void truncatedCorruptAndEmptyFilesAre400(String file) {
        ServingException e = refused(corpus(file));
        assertEquals(ServingException.Kind.BAD_INPUT, e.kind(), file + ": " + e.getMessage());
    }

    @Test
    void aJpegMissingHalfItsDataIsRefusedNotFilledGrey() throws IOException {
        byte[] cut = corpus("jpeg-truncated-half.jpg");
        // The JDK reader alone returns an image with the missing half grey, and only warns.
        assertNotNull(ImageIO.read(new ByteArrayInputStream(cut)));
        ServingException e = refused(cut);
        assertEquals(ServingException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
        byte[] whole = TestImages.jpeg(TestImages.photo(64, 48), false);
        byte[] cutHere = java.util.Arrays.copyOf(whole, whole.length * 2 / 3);
        assertEquals(ServingException.Kind.BAD_INPUT, refused(cutHere).kind());
        assertEquals(64, DECODER.decode(whole, 0, 0).pixels().getWidth());
    }

    @Test
    void anAnimatedGifCostsItsFirstFrameNotItsFrameCount() {
        byte[] gif = corpus("gif-10000-frames.gif");
        long before = allocated();
        DecodedImage d = DECODER.decode(gif, 224, 224);
        long used = allocated() - before;
        assertEquals(1, d.pixels().getWidth());
        // getNumImages(true) would read all 10,000 frame headers (and keep their metadata).
        assertTrue(used < 1 << 20, used + " bytes allocated");
    }

    @Test
    void theLimitIsTheConfiguredOne() {
        byte[] png = TestImages.encode(TestImages.photo(100, 50), "png");
        ImageDecoder tight = new ImageDecoder(5000, true);
        assertEquals(100, tight.decode(png, 0, 0).pixels().getWidth());
        ServingException e = assertThrows(ServingException.class, () -> new ImageDecoder(4999, true).decode(png, 0, 0));
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("100x50 = 5000 pixels, over the limit of 4999"), e.getMessage());
    }

    /** A complete, valid RGB PNG of zeros, compressed as tightly as zlib does (12000^2: ~420 KB). */
    static byte[] blackPng(int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
            byte[] row = new byte[1 + 3 * w];
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        ihdr.writeBytes(TestImages.int32(w));
        ihdr.writeBytes(TestImages.int32(h));
        ihdr.writeBytes(new byte[] {8, 2, 0, 0, 0});
        png.writeBytes(TestImages.pngChunk("IHDR", ihdr.toByteArray()));
        png.writeBytes(TestImages.pngChunk("IDAT", idat.toByteArray()));
        png.writeBytes(TestImages.pngChunk("IEND", new byte[0]));
        return png.toByteArray();
    }
}
