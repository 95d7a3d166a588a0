package com.modelfactory.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.image.ImagePreprocessor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Encoded images of one request become one tensor: one size for all, and a bound on what they decode to. */
class ModelInputsTest {
    private static final RuntimeConfig.ImageSettings AUTO = new RuntimeConfig.ImageSettings(RuntimeConfig.Layout.AUTO,
            RuntimeConfig.Color.AUTO, 0, 0, null, null, null, 100_000_000L, true);

    private static ModelInputs inputs(long height, long width, long maxDecodedBytes) throws Exception {
        Signature sig = Signature.infer(List.of(new TensorSpec("in", DataType.FP32, new long[] {-1, 3, height, width})),
                List.of(new TensorSpec("out", DataType.FP32, new long[] {-1})));
        return new ModelInputs(sig, new ImagePreprocessor(ImageInput.resolve(sig, AUTO)), null, maxDecodedBytes);
    }

    private static byte[] png(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    @Test
    void imagesOfOneSizeBecomeOneBatch() throws Exception {
        Tensor t = inputs(-1, -1, Long.MAX_VALUE).images(List.of(png(5, 4), png(5, 4), png(5, 4)));
        assertArrayEquals(new long[] {3, 3, 4, 5}, t.shape());
    }

    @Test
    void imagesThatShapeToDifferentSizesAreTheClientsError() throws Exception {
        ModelInputs dynamic = inputs(-1, -1, Long.MAX_VALUE);
        ServingException e = assertThrows(ServingException.class, () -> dynamic.images(List.of(png(5, 4), png(6, 4))));
        assertEquals(ServingException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().contains("image 1"), e.getMessage());
    }

    @Test
    void manySmallImagesThatWouldDecodeOverTheBoundAreRefusedBeforeDecoding() throws Exception {
        // 32x32x3 FP32 = 12,288 bytes an image: 3 fit in 40,000, 4 do not.
        ModelInputs fixed = inputs(32, 32, 40_000);
        byte[] tiny = png(1, 1);
        assertArrayEquals(new long[] {3, 3, 32, 32}, fixed.images(List.of(tiny, tiny, tiny)).shape());
        ServingException e = assertThrows(ServingException.class, () -> fixed.images(List.of(tiny, tiny, tiny, tiny)));
        assertEquals(ServingException.Kind.TOO_LARGE, e.kind());
        Tensor bytes = Tensor.ofBytes(new long[] {4}, List.of(tiny, tiny, tiny, tiny));
        assertEquals(ServingException.Kind.TOO_LARGE, assertThrows(ServingException.class,
                () -> fixed.withEncodedImages(Map.of("in", bytes))).kind(), "BYTES tensors of images too");
    }
}
