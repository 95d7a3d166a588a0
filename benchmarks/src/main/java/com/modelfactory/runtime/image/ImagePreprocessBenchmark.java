package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The /predict hot path before the engine: PNG or JPEG decode, colour, bilinear resize, scale and NCHW layout.
 * Sizes: 32x32 into a 32x32 model (no resize), 224x224 into 224 (no resize), 640x480 into 224 (a camera
 * frame). Lives in the server's package to reach package-private steps if needed; uses only public API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ImagePreprocessBenchmark {

    /** source width x height -> model input side */
    @Param({"32x32->32", "224x224->224", "640x480->224"})
    public String size;

    /** png, or jpg (ImageIO's default: quality 0.75, 4:2:0 chroma, as cameras write); run with -Dmodelruntime.imageio.jpeg=true for ImageIO's JPEG decoder */
    @Param({"png", "jpg"})
    public String format;

    private byte[] png;
    private ImagePreprocessor preprocessor;
    private ImageDecoder decoder;
    private int side;

    @Setup
    public void setUp() throws Exception {
        String[] parts = size.split("->");
        String[] wh = parts[0].split("x");
        side = Integer.parseInt(parts[1]);
        png = encoded(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), format);
        Signature sig = Signature.infer(List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 3, side, side})),
                List.of(new TensorSpec("logits", DataType.FP32, new long[] {-1, 10})));
        preprocessor = new ImagePreprocessor(ImageInput.resolve(sig,
                new RuntimeConfig.ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.AUTO, 0, 0, null, null, null,
                        0, true)));
        decoder = new ImageDecoder(preprocessor.spec().maxPixels(), true);
    }

    @Benchmark
    public Tensor decodeResizeNormalise() {
        return preprocessor.toTensor(png);
    }

    @Benchmark
    public BufferedImage decodeOnly() {
        return decoder.decode(png, 0, 0).pixels();
    }

    /** The decode step of decodeResizeNormalise: reduced towards the input side where the decoder can. */
    @Benchmark
    public BufferedImage decodeForInput() {
        return decoder.decode(png, side, side).pixels();
    }

    /** A photo-like PNG: smooth gradients plus noise (compresses like a photo, not like noise or a flat fill). */
    static byte[] encoded(int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom r = new SplittableRandom(42);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = clamp(x * 255 / w + r.nextInt(-20, 21));
                int green = clamp(y * 255 / h + r.nextInt(-20, 21));
                int blue = clamp((x + y) * 127 / (w + h) * 2 + r.nextInt(-20, 21));
                img.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
