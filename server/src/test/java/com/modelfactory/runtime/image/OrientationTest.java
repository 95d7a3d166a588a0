package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig.ImageSettings;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.awt.image.BufferedImage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EXIF orientation: all eight, in JPEG and PNG made here and WebP and TIFF from the corpus. */
class OrientationTest {
    private static final int W = 5;
    private static final int H = 3;

    /**
     * The EXIF 2.32 table, independent of {@link Orientation}: for each value, where the stored image's
     * row 0 and column 0 are when the image is seen upright.
     */
    private static final String[][] ROW0_COL0 = {
        {"top", "left"}, {"top", "right"}, {"bottom", "right"}, {"bottom", "left"},
        {"left", "top"}, {"right", "top"}, {"right", "bottom"}, {"left", "bottom"}};

    /** Upright position {x', y'} of stored pixel (x, y) of a w x h image, from the table. */
    private static int[] upright(int value, int x, int y, int w, int h) {
        String row0 = ROW0_COL0[value - 1][0];
        String col0 = ROW0_COL0[value - 1][1];
        if (row0.equals("top") || row0.equals("bottom")) {
            return new int[] {col0.equals("left") ? x : w - 1 - x, row0.equals("top") ? y : h - 1 - y};
        }
        // rows became columns: stored row y is upright column y (from the left) or h-1-y (from the right)
        return new int[] {row0.equals("left") ? y : h - 1 - y, col0.equals("top") ? x : w - 1 - x};
    }

    /** A stored W x H image whose every pixel has its own colour. */
    private static BufferedImage stored() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.setRGB(x, y, (x * 50) << 16 | (y * 100) << 8 | (x + y * W) * 10);
            }
        }
        return img;
    }

    /** The tensor of an NHWC UINT8 model that takes images at their own size. */
    private static Tensor own(byte[] bytes, boolean exif) throws Exception {
        ImageSettings s = new ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.AUTO, 0, 0, null, null, null, 0, exif);
        return new ImagePreprocessor(ImageInput.resolve(ImageInputTest.sig(DataType.UINT8, -1, -1, -1, 3), s))
                .toTensor(bytes);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyOrientationOfAPngTurnsItUprightExactly(int value) throws Exception {
        BufferedImage img = stored();
        Tensor t = own(TestImages.withPngExif(TestImages.encode(img, "png"), value), true);
        boolean swaps = value >= 5;
        int uw = swaps ? H : W;
        assertArrayEquals(new long[] {1, swaps ? W : H, uw, 3}, t.shape());
        double[] v = t.toDoubles();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int[] to = upright(value, x, y, W, H);
                int rgb = img.getRGB(x, y);
                int at = (to[1] * uw + to[0]) * 3;
                assertArrayEquals(new double[] {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff},
                        new double[] {v[at], v[at + 1], v[at + 2]}, "orientation " + value + " pixel " + x + "," + y);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyOrientationOfAJpegApp1IsApplied(int value) throws Exception {
        // 2x2 blocks of 16x16 pixels (JPEG's chroma subsampling blurs finer detail): red, green / blue, white
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff};
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, colours[(y / 16) * 2 + x / 16]);
            }
        }
        byte[] jpeg = TestImages.withJpegExif(TestImages.jpeg(img, false), value);
        assertEquals(Orientation.fromExif(value), ExifOrientationReader.read(jpeg));
        double[] v = own(jpeg, true).toDoubles();
        for (int by = 0; by < 2; by++) {
            for (int bx = 0; bx < 2; bx++) {
                int[] to = upright(value, bx, by, 2, 2); // the blocks move as pixels of a 2x2 image
                int at = ((to[1] * 16 + 8) * 32 + to[0] * 16 + 8) * 3;
                int rgb = colours[by * 2 + bx];
                double[] want = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
                for (int k = 0; k < 3; k++) {
                    assertEquals(want[k], v[at + k], 16, "orientation " + value + " block " + bx + "," + by);
                }
            }
        }
    }

    @Test
    void webpAndTiffOrientationIsAppliedToo() throws Exception {
        for (String file : new String[] {"webp-exif-orientation-6.webp", "tiff-orientation-6.tif"}) {
            byte[] bytes = TestImages.corpus(file);
            assertEquals(Orientation.ROTATE_90, ExifOrientationReader.read(bytes), file);
            Tensor t = own(bytes, true);
            // stored 6x4 with a white top-left pixel; turned clockwise: 4x6, white at the top right
            assertArrayEquals(new long[] {1, 6, 4, 3}, t.shape(), file);
            double[] v = t.toDoubles();
            assertArrayEquals(new double[] {255, 255, 255}, new double[] {v[9], v[10], v[11]}, file);
            assertArrayEquals(new double[] {255, 0, 0}, new double[] {v[0], v[1], v[2]}, file);
        }
    }

    @Test
    void imageExifOrientationFalseKeepsImagesAsStored() throws Exception {
        byte[] png = TestImages.withPngExif(TestImages.encode(stored(), "png"), 6);
        assertArrayEquals(new long[] {1, H, W, 3}, own(png, false).shape());
        assertArrayEquals(new long[] {1, W, H, 3}, own(png, true).shape());
    }

    @Test
    void theSettingsComeFromTheEnvironment() {
        ImageSettings defaults = ConfigLoader.load(new String[0], Map.of()).image();
        assertTrue(defaults.exifOrientation());
        assertEquals(0, defaults.maxImagePixels());
        ImageSettings set = ConfigLoader.load(new String[0],
                Map.of("IMAGE_EXIF_ORIENTATION", "false", "MAX_IMAGE_PIXELS", "1000000")).image();
        assertEquals(false, set.exifOrientation());
        assertEquals(1_000_000, set.maxImagePixels());
        Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[0], Map.of("IMAGE_EXIF_ORIENTATION", "sideways")));
    }

    @Test
    void malformedExifMeansUpright() {
        byte[] png = TestImages.encode(stored(), "png");
        assertEquals(Orientation.NORMAL, ExifOrientationReader.read(TestImages.withPngExif(png, 0)));
        assertEquals(Orientation.NORMAL, ExifOrientationReader.read(TestImages.withPngExif(png, 9)));
        byte[] cut = TestImages.withPngExif(png, 6);
        cut[33 + 8 + 4 + 3] = 100; // IFD0 offset beyond the chunk
        assertEquals(Orientation.NORMAL, ExifOrientationReader.read(cut));
        assertEquals(Orientation.NORMAL, ExifOrientationReader.read(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff}));
    }
}
