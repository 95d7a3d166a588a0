package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
    private static final ImageDecoder DECODER = new ImageDecoder(ImageInput.AUTO_MAX_PIXELS_OWN_SIZE, true);

    private static BufferedImage decode(byte[] bytes) {
        return DECODER.decode(bytes, 0, 0).pixels();
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    @Test
    void decodesPngJpegBmpGifAndTheWebpPluginIsRegistered() throws Exception {
        BufferedImage img = solid(5, 4, 0x336699);
        for (String format : new String[] {"png", "bmp", "gif", "jpeg"}) {
            BufferedImage back = decode(encode(img, format));
            assertEquals(5, back.getWidth(), format);
            assertEquals(4, back.getHeight(), format);
        }
        decode(Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.jpg")));
        assertEquals(true, ImageIO.getImageReadersByFormatName("webp").hasNext(), "TwelveMonkeys WebP reader");
    }

    @Test
    void garbageIsBadInput() {
        assertEquals(ServingException.Kind.BAD_INPUT,
                assertThrows(ServingException.class, () -> decode(new byte[] {1, 2, 3, 4, 5})).kind());
        assertEquals(ServingException.Kind.BAD_INPUT, assertThrows(ServingException.class, () -> decode(new byte[0])).kind());
    }

    @Test
    void nchwFloatScaledToUnitRangeInRgbOrder() throws Exception {
        ImageInput spec = ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 3, 2, 2), ImageInputTest.AUTO);
        Tensor t = new ImagePreprocessor(spec).toTensor(encode(solid(2, 2, 0xff8000), "png"));
        assertArrayEquals(new long[] {1, 3, 2, 2}, t.shape());
        float[] v = t.toFloats();
        assertEquals(1f, v[0], 1e-6);          // R plane
        assertEquals(128 / 255f, v[4], 1e-6);  // G plane
        assertEquals(0f, v[8], 1e-6);          // B plane
    }

    @Test
    void nhwcUint8KeepsRawValuesAndGrayUsesLuma() throws Exception {
        ImageInput rgb = ImageInput.resolve(ImageInputTest.sig(DataType.UINT8, -1, 1, 1, 3), ImageInputTest.AUTO);
        Tensor t = new ImagePreprocessor(rgb).toTensor(encode(solid(1, 1, 0x0a141e), "png"));
        assertArrayEquals(new double[] {10, 20, 30}, t.toDoubles());
        ImageInput gray = ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 1), ImageInputTest.AUTO);
        Tensor g = new ImagePreprocessor(gray).toTensor(encode(solid(1, 1, 0x0a141e), "png"));
        assertEquals((10 * 299 + 20 * 587 + 30 * 114) / 1000 / 255f, g.toFloats()[0], 1e-6);
    }

    @Test
    void grayscalePngIsReadWithoutColourConversion() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 100);
        img.getRaster().setSample(1, 0, 0, 7);
        ImageInput spec = ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 1, 2), ImageInputTest.AUTO);
        ImageInput raw = new ImageInput(spec.inputName(), DataType.FP32, 3, null, ImageInput.Color.GRAYSCALE, 2, 1,
                1f, new float[] {0}, new float[] {1});
        Tensor t = new ImagePreprocessor(raw).toTensor(encode(img, "png"));
        assertArrayEquals(new float[] {100, 7}, t.toFloats());
    }

    @Test
    void rasterFastPathGivesWhatGetRgbGives() throws Exception {
        BufferedImage noisy = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                noisy.setRGB(x, y, random.nextInt());
            }
        }
        byte[][] images = {
            Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.png")),   // RGB PNG: ComponentColorModel
            Files.readAllBytes(TestRuntime.fixture("images/rgba32.png")),     // RGBA PNG
            Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.jpg")),   // JPEG: TYPE_3BYTE_BGR
            encode(noisy, "png"), encode(noisy, "bmp"),
        };
        for (byte[] bytes : images) {
            BufferedImage img = decode(bytes);
            int w = img.getWidth();
            int[] argb = img.getRGB(0, 0, w, img.getHeight(), null, 0, w);
            float[] rgb = ImagePreprocessor.channels(img, ImageInput.Color.RGB);
            float[] bgr = ImagePreprocessor.channels(img, ImageInput.Color.BGR);
            float[] gray = ImagePreprocessor.channels(img, ImageInput.Color.GRAYSCALE);
            for (int i = 0; i < argb.length; i++) {
                int r = (argb[i] >> 16) & 0xff;
                int g = (argb[i] >> 8) & 0xff;
                int b = argb[i] & 0xff;
                String at = "pixel " + i + " of a " + img.getColorModel().getClass().getSimpleName() + " image";
                assertArrayEquals(new float[] {r, g, b}, java.util.Arrays.copyOfRange(rgb, 3 * i, 3 * i + 3), at);
                assertArrayEquals(new float[] {b, g, r}, java.util.Arrays.copyOfRange(bgr, 3 * i, 3 * i + 3), at);
                assertEquals((r * 299 + g * 587 + b * 114) / 1000, gray[i], at);
            }
        }
    }

    @Test
    void bilinearResizeAveragesAndKeepsConstantImagesConstant() {
        float[] src = {0, 10, 20, 30};  // 2x2 gray
        float[] up = ImagePreprocessor.resize(src, 2, 2, 1, 4, 4);
        assertEquals(0f, up[0], 1e-6);
        assertEquals(30f, up[15], 1e-6);
        float[] down = ImagePreprocessor.resize(new float[] {0, 10, 20, 30}, 2, 2, 1, 1, 1);
        assertEquals(15f, down[0], 1e-6);
        float[] flat = ImagePreprocessor.resize(new float[] {5, 5, 5, 5, 5, 5, 5, 5, 5}, 3, 3, 1, 7, 5);
        for (float f : flat) {
            assertEquals(5f, f, 1e-6);
        }
    }

    @Test
    void largerImagesAreResizedToTheModelInput() throws Exception {
        ImageInput spec = ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 3, 32, 32), ImageInputTest.AUTO);
        Tensor t = new ImagePreprocessor(spec).toTensor(Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.png")));
        assertArrayEquals(new long[] {1, 3, 32, 32}, t.shape());
    }
}
