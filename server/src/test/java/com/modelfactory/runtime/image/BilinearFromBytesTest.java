package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The one-pass resize gives the bits of the general path (float copy, float resize, normalise). */
class BilinearFromBytesTest {

    @Test
    void sameBitsAsTheThreePassPathForAnySizesOrderAndLayout() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 300; round++) {
            int sw = 1 + random.nextInt(300);
            int sh = 1 + random.nextInt(300);
            int dw = 1 + random.nextInt(250);
            int dh = 1 + random.nextInt(250);
            if (round % 10 == 0) {
                dw = sw; // the same width: no interpolation along x
            } else if (round % 10 == 1) {
                dw = sw; // the input's own size: values copied
                dh = sh;
            }
            BufferedImage img = switch (round % 3) { // B,G,R; R,G,B; R,G,B,A (a pixel stride of 4)
                case 0 -> new BufferedImage(sw, sh, BufferedImage.TYPE_3BYTE_BGR);
                case 1 -> ByteImages.wrap(new byte[sw * sh * 3], sw, sh, 3);
                default -> ByteImages.wrap(new byte[sw * sh * 4], sw, sh, 4);
            };
            byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) random.nextInt(256);
            }
            ImageInput.Color color = random.nextBoolean() ? ImageInput.Color.RGB : ImageInput.Color.BGR;
            boolean chw = random.nextBoolean();
            float scale = random.nextBoolean() ? 1 / 255f : 1f;
            float[] mean = {random.nextFloat(), random.nextFloat() * 100, random.nextFloat()};
            float[] std = {0.1f + random.nextFloat(), 0.1f + random.nextFloat(), 1f};

            InterleavedBytes px = InterleavedBytes.of(img);
            assertNotNull(px);
            float[] onePass = new float[dw * dh * 3];
            BilinearFromBytes.normalized(px, color, sw, sh, dw, dh, scale, mean, std, chw, onePass);

            float[] hwc = ImagePreprocessor.resize(ImagePreprocessor.channels(img, color), sw, sh, 3, dw, dh);
            int plane = dw * dh;
            for (int i = 0; i < plane; i++) {
                for (int k = 0; k < 3; k++) {
                    float expected = (hwc[i * 3 + k] * scale - mean[k]) / std[k];
                    int at = chw ? k * plane + i : i * 3 + k;
                    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(onePass[at]),
                            sw + "x" + sh + " -> " + dw + "x" + dh + " " + color + (chw ? " CHW" : " HWC") + " at " + at);
                }
            }
        }
    }
}
