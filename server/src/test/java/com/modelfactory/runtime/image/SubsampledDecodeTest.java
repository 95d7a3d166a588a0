package com.modelfactory.runtime.image;

import static com.modelfactory.runtime.image.TestImages.allocated;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Large images are decoded near the model input's size; small ones exactly as before. */
class SubsampledDecodeTest {

    private static ImagePreprocessor rgb224() throws Exception {
        return new ImagePreprocessor(ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 3, 224, 224),
                ImageInputTest.AUTO));
    }

    @Test
    void theFactorKeepsAtLeastTwiceTheTargetInEachDimension() {
        assertEquals(new Subsampling(17, 13), Subsampling.forTarget(8000, 6000, 224, 224, false));
        assertEquals(new Subsampling(17, 6), Subsampling.forTarget(8000, 6000, 224, 448, false));
        // turned a quarter after decoding: stored columns become upright rows
        assertEquals(new Subsampling(8, 13), Subsampling.forTarget(8000, 6000, 224, 448, true));
        assertEquals(Subsampling.NONE, Subsampling.forTarget(895, 895, 224, 224, false));
        assertEquals(new Subsampling(2, 1), Subsampling.forTarget(896, 895, 224, 224, false));
        assertEquals(Subsampling.NONE, Subsampling.forTarget(8000, 6000, 0, 0, false));
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            int w = 1 + random.nextInt(30_000);
            int h = 1 + random.nextInt(30_000);
            int tw = 1 + random.nextInt(1024);
            int th = 1 + random.nextInt(1024);
            Subsampling s = Subsampling.forTarget(w, h, tw, th, false);
            int dw = (w + s.x() - 1) / s.x();
            int dh = (h + s.y() - 1) / s.y();
            String at = w + "x" + h + " -> " + tw + "x" + th + " by " + s;
            assertTrue(s.x() == 1 ? true : dw >= 2 * tw && dw < 4 * tw + s.x(), at);
            assertTrue(s.y() == 1 ? true : dh >= 2 * th && dh < 4 * th + s.y(), at);
        }
    }

    @Test
    void aPhotoOf48MbDecodedTakesAFractionOfTheFullDecodesMemory() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(4000, 4000), false); // 48 MB as RGB bytes
        ImagePreprocessor model = rgb224();
        model.toTensor(TestImages.jpeg(TestImages.photo(64, 64), false)); // classes loaded, scratch arrays made

        long before = allocated();
        Tensor subsampled = model.toTensor(jpeg);
        long subsampledBytes = allocated() - before;

        before = allocated();
        Tensor full = model.toTensor(ImageIO.read(new ByteArrayInputStream(jpeg))); // the path without subsampling
        long fullBytes = allocated() - before;

        System.out.printf("4000x4000 JPEG to 224x224: %,d bytes allocated subsampled, %,d in full%n",
                subsampledBytes, fullBytes);
        // in full: at least the 16 M pixels' bytes (3 each)
        assertTrue(fullBytes > 16_000_000L * 3, "full decode allocated " + fullBytes);
        assertTrue(subsampledBytes < 32_000_000L, "subsampled decode allocated " + subsampledBytes);
        assertTrue(subsampledBytes * 20 < fullBytes, subsampledBytes + " vs " + fullBytes);
        // Still the same picture: smooth gradients agree closely.
        float[] a = subsampled.toFloats();
        float[] b = full.toFloats();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst < 0.08, "largest difference " + worst);
    }

    @Test
    void imagesUnderFourTimesTheInputAreDecodedExactlyAsWithoutSubsampling() throws Exception {
        ImagePreprocessor model = rgb224();
        byte[][] images = {
            Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.png")),
            Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.jpg")),
            Files.readAllBytes(TestRuntime.fixture("images/cat32.png")),
            TestImages.encode(TestImages.photo(895, 600), "png"),
            TestImages.jpeg(TestImages.photo(800, 895), true),
        };
        // JPEGs through ImageIO here, as without libjpeg-turbo (JpegFastPathTest compares the two decoders)
        ImageDecoder imageIo = new ImageDecoder(model.spec().maxPixels(), true, false);
        for (byte[] bytes : images) {
            ByteBuffer viaDecoder = model.toTensor(imageIo.decode(bytes, 224, 224)).data();
            ByteBuffer viaImageIo = model.toTensor(ImageIO.read(new ByteArrayInputStream(bytes))).data();
            byte[] x = new byte[viaDecoder.remaining()];
            byte[] y = new byte[viaImageIo.remaining()];
            viaDecoder.duplicate().get(x);
            viaImageIo.duplicate().get(y);
            assertArrayEquals(y, x);
        }
    }
}
