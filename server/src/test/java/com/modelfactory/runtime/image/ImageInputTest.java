package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.RuntimeConfig.ImageSettings;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageInputTest {
    static final ImageSettings AUTO = new ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.AUTO, 0, 0, null, null, null,
            0, true);

    static Signature sig(DataType t, long... shape) {
        return Signature.infer(List.of(new TensorSpec("in", t, shape)), List.of(new TensorSpec("out", t, new long[] {-1})));
    }

    @Test
    void channelsFirstAndChannelsLastAreToldApartByTheChannelDimension() throws Exception {
        ImageInput nchw = ImageInput.resolve(sig(DataType.FP32, -1, 3, 224, 200), AUTO);
        assertEquals(ImageInput.Layout.NCHW, nchw.layout());
        assertEquals(224, nchw.height());
        assertEquals(200, nchw.width());
        ImageInput nhwc = ImageInput.resolve(sig(DataType.FP32, -1, 28, 28, 1), AUTO);
        assertEquals(ImageInput.Layout.NHWC, nhwc.layout());
        assertEquals(ImageInput.Color.GRAYSCALE, nhwc.color());
    }

    @Test
    void flatInputsAreGraySquaresOrRgbSquares() throws Exception {
        ImageInput mnist = ImageInput.resolve(sig(DataType.FP32, -1, 784), AUTO);
        assertEquals(ImageInput.Color.GRAYSCALE, mnist.color());
        assertEquals(28, mnist.width());
        ImageInput rgb = ImageInput.resolve(sig(DataType.FP32, -1, 3072), AUTO);
        assertEquals(ImageInput.Color.RGB, rgb.color());
        assertEquals(32, rgb.height());
        ImageInput hw = ImageInput.resolve(sig(DataType.FP32, -1, 28, 28), AUTO);
        assertEquals(ImageInput.Color.GRAYSCALE, hw.color());
    }

    @Test
    void floatInputsScaleToUnitRangeIntegerInputsStay0To255() throws Exception {
        assertEquals(1f / 255f, ImageInput.resolve(sig(DataType.FP32, -1, 3, 8, 8), AUTO).scale(), 1e-9);
        assertEquals(1f, ImageInput.resolve(sig(DataType.UINT8, -1, 8, 8, 3), AUTO).scale());
    }

    @Test
    void configOverridesLayoutSizeAndNormalisation() throws Exception {
        ImageSettings s = new ImageSettings(RuntimeConfig.Layout.NHWC, RuntimeConfig.Color.BGR, 64, 48, 1f, new float[] {1, 2, 3}, new float[] {2},
                1000, false);
        ImageInput in = ImageInput.resolve(sig(DataType.FP32, -1, -1, -1, 3), s);
        assertEquals(ImageInput.Layout.NHWC, in.layout());
        assertEquals(ImageInput.Color.BGR, in.color());
        assertEquals(64, in.width());
        assertEquals(48, in.height());
        assertEquals(2f, in.std()[2]);
    }

    @Test
    void aFixedInputSizeWinsOverAConfiguredOne() throws Exception {
        ImageSettings s = new ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.AUTO, 64, 48, null, null, null,
                0, false);
        ImageInput fixed = ImageInput.resolve(sig(DataType.FP32, -1, 3, 32, 32), s);
        assertEquals(32, fixed.width(), "the model's fixed 32x32 input cannot take 64x48: the model wins (with a warning)");
        assertEquals(32, fixed.height());
        ImageInput dynamic = ImageInput.resolve(sig(DataType.FP32, -1, 3, -1, -1), s);
        assertEquals(64, dynamic.width(), "a dynamic input takes the configured size");
        assertEquals(48, dynamic.height());
    }

    @Test
    void aConfiguredSizeThatFillsAFlatInputStands() throws Exception {
        ImageSettings s = new ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.GRAYSCALE, 128, 32, null, null,
                null, 0, false);
        ImageInput flat = ImageInput.resolve(sig(DataType.FP32, -1, 4096), s);
        assertEquals(128, flat.width(), "4096 = 128 x 32: the configured size, not a guessed 64 x 64");
        assertEquals(32, flat.height());
    }

    @Test
    void modelsThatCannotTakeAnImageSayWhy() {
        Signature two = Signature.infer(List.of(new TensorSpec("a", DataType.FP32, new long[] {-1, 4}),
                new TensorSpec("b", DataType.FP32, new long[] {-1, 4})), List.of());
        assertTrue(assertThrows(NotAnImageModelException.class, () -> ImageInput.resolve(two, AUTO))
                .getMessage().contains("2 inputs"));
        Signature unknown = Signature.infer(List.of(new TensorSpec("x", DataType.FP32, null)), List.of());
        assertTrue(assertThrows(NotAnImageModelException.class, () -> ImageInput.resolve(unknown, AUTO))
                .getMessage().contains("inputs:"));
        assertThrows(NotAnImageModelException.class, () -> ImageInput.resolve(sig(DataType.FP32, -1, 10), AUTO));
    }
}
