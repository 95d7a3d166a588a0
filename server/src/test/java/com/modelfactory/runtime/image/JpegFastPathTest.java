package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.engine.DataType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JPEGs decoded by libjpeg-turbo: the same pixels as ImageIO's decoder within rounding, DCT-domain scaling
 * to no less than the target, and every file it cannot take handed back (null) for ImageIO to decode or
 * refuse. Needs libturbojpeg.so.0 (Debian: libturbojpeg0, which .ci/run installs): skipped without it,
 * except under CI, where a missing library fails.
 */
class JpegFastPathTest {

    @BeforeAll
    static void library() {
        if (System.getenv("CI") != null) {
            assertTrue(TurboJpeg.available(), TurboJpeg.describe());
        }
        assumeTrue(TurboJpeg.available(), "libturbojpeg not loadable: " + TurboJpeg.describe());
    }

    @Test
    void aFullSizeDecodeHasImageIosPixelsWithinRounding() throws IOException {
        for (boolean progressive : new boolean[] {false, true}) {
            byte[] jpeg = TestImages.jpeg(TestImages.photo(640, 480), progressive);
            BufferedImage turbo = JpegFastPath.decode(jpeg, 0, 0, Long.MAX_VALUE);
            BufferedImage imageIo = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertNotNull(turbo);
            assertEquals(640, turbo.getWidth());
            assertEquals(480, turbo.getHeight());
            float[] a = ImagePreprocessor.channels(turbo, ImageInput.Color.RGB);
            float[] b = ImagePreprocessor.channels(imageIo, ImageInput.Color.RGB);
            double sum = 0;
            float worst = 0;
            for (int i = 0; i < a.length; i++) {
                float d = Math.abs(a[i] - b[i]);
                sum += d;
                worst = Math.max(worst, d);
            }
            assertTrue(worst <= 4 && sum / a.length < 0.5, "progressive " + progressive + ": worst " + worst
                    + ", mean " + sum / a.length);
        }
    }

    @Test
    void aLargerImageIsScaledInTheDctToNoLessThanTheTarget() {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(640, 480), false);
        BufferedImage half = JpegFastPath.decode(jpeg, 224, 224, Long.MAX_VALUE);
        assertEquals(320, half.getWidth());
        assertEquals(240, half.getHeight());
        BufferedImage full = JpegFastPath.decode(jpeg, 224, 241, Long.MAX_VALUE);
        assertEquals(640, full.getWidth());
        assertEquals(1, JpegFastPath.eighths(4000, 3000, 500, 375));
        assertEquals(2, JpegFastPath.eighths(4000, 3000, 501, 224));
        assertEquals(2, JpegFastPath.eighths(4000, 3000, 500, 376));
        assertEquals(8, JpegFastPath.eighths(4000, 3000, 0, 0));
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            int w = 1 + random.nextInt(20_000);
            int h = 1 + random.nextInt(20_000);
            int tw = 1 + random.nextInt(2_000);
            int th = 1 + random.nextInt(2_000);
            int e = JpegFastPath.eighths(w, h, tw, th);
            String at = w + "x" + h + " -> " + tw + "x" + th + ": " + e + "/8";
            boolean covers = JpegFastPath.scaled(w, e) >= tw && JpegFastPath.scaled(h, e) >= th;
            assertTrue(covers || e == 8, at);
            int smaller = e / 2;
            assertTrue(smaller == 0 || JpegFastPath.scaled(w, smaller) < tw || JpegFastPath.scaled(h, smaller) < th, at);
        }
    }

    @Test
    void theScaleFollowsTheUprightTarget() {
        // stored 640x480, turned a quarter (EXIF 6): upright 480x640 into a 224x300 (w x h) input
        byte[] jpeg = TestImages.withJpegExif(TestImages.jpeg(TestImages.photo(640, 480), false), 6);
        DecodedImage d = new ImageDecoder(Long.MAX_VALUE, true).decode(jpeg, 224, 300);
        assertEquals(320, d.pixels().getWidth(), "stored width 640 must cover the upright height 300: 1/2");
        assertEquals(240, d.pixels().getHeight());
        assertTrue(d.orientation().swapsAxes());
        DecodedImage asStored = new ImageDecoder(Long.MAX_VALUE, false).decode(jpeg, 224, 300);
        assertEquals(640, asStored.pixels().getWidth(), "as stored, 240 rows would not cover 300: full size");
    }

    @Test
    void aStripStillSubsampledByImageIoWhereTheDctCannotScaleIt() {
        // 8000x200 into 224x224: no DCT scale keeps 200 >= 224 while shrinking 8000, so ImageIO subsamples
        byte[] strip = TestImages.jpeg(TestImages.photo(8000, 200), false);
        assertNull(JpegFastPath.decode(strip, 224, 224, Long.MAX_VALUE));
        DecodedImage d = new ImageDecoder(Long.MAX_VALUE, false).decode(strip, 224, 224);
        assertTrue(d.pixels().getWidth() < 8000 / 4, "subsampled: " + d.pixels().getWidth());
    }

    @Test
    void grayStaysOneChannel() {
        BufferedImage gray = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(TestImages.photo(64, 48), 0, 0, null);
        BufferedImage decoded = JpegFastPath.decode(TestImages.jpeg(gray, false), 0, 0, Long.MAX_VALUE);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, decoded.getType());
    }

    @Test
    void whatItCannotTakeGoesBackToImageIo() {
        byte[] whole = TestImages.jpeg(TestImages.photo(64, 48), false);
        assertNull(JpegFastPath.decode(Arrays.copyOf(whole, whole.length * 2 / 3), 0, 0, Long.MAX_VALUE),
                "a truncated scan (libjpeg only warns)");
        assertNull(JpegFastPath.decode(TestImages.corpus("jpeg-truncated-half.jpg"), 0, 0, Long.MAX_VALUE));
        assertNull(JpegFastPath.decode(TestImages.corpus("jpeg-header-20000x20000.jpg"), 224, 224, 24_000_000),
                "over the pixel limit: ImageIO's path refuses it with the 413 message");
        assertNull(JpegFastPath.decode(TestImages.corpus("jpeg-soi-only.jpg"), 0, 0, Long.MAX_VALUE));
        assertNull(JpegFastPath.decode(TestImages.encode(TestImages.photo(8, 8), "png"), 0, 0, Long.MAX_VALUE));
    }

    @Test
    void theServingPathAgreesWithAFullImageIoDecodeAfterResizing() throws Exception {
        ImagePreprocessor model = new ImagePreprocessor(ImageInput.resolve(
                ImageInputTest.sig(DataType.FP32, -1, 3, 224, 224), ImageInputTest.AUTO));
        byte[] jpeg = TestImages.jpeg(smooth(640, 480), false);
        float[] served = model.toTensor(jpeg).toFloats();
        float[] full = model.toTensor(ImageIO.read(new ByteArrayInputStream(jpeg))).toFloats();
        double sum = 0;
        for (int i = 0; i < served.length; i++) {
            sum += Math.abs(served[i] - full[i]);
        }
        // the inputs are scaled to 0-1 here: a mean difference under 1/255
        assertTrue(sum / served.length < 1 / 255.0, "mean difference " + sum / served.length);
    }

    /** Gradients only: what a resize keeps the same whichever way it samples. */
    private static BufferedImage smooth(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | ((x + y) * 255 / (w + h)));
            }
        }
        return img;
    }
}
