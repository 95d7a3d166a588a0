package com.modelfactory.runtime.image;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The runtime's image path on one real file, step by step, as /predict runs it for a classifier of the given
 * input side: decode (at the size the model needs: JPEG's DCT scaling applies), then resize, scale and NCHW
 * layout. Prints one line: {@code STEPS decode=ms resize_scale=ms} (means after a warm-up, one thread).
 *   java -cp ... com.modelfactory.runtime.image.ImageStepTimes IMAGE SIDE [ITERATIONS]
 */
public final class ImageStepTimes {
    private ImageStepTimes() {
    }

    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[0]));
        int side = Integer.parseInt(args[1]);
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Signature sig = Signature.infer(List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 3, side, side})),
                List.of(new TensorSpec("logits", DataType.FP32, new long[] {-1, 10})));
        ImagePreprocessor preprocessor = new ImagePreprocessor(ImageInput.resolve(sig,
                new RuntimeConfig.ImageSettings(RuntimeConfig.Layout.AUTO, RuntimeConfig.Color.AUTO, 0, 0, null, null, null,
                        0, true)));
        ImageDecoder decoder = new ImageDecoder(preprocessor.spec().maxPixels(), true);
        double decode = 0;
        double whole = 0;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT and is not reported
            long decodeNanos = 0;
            long wholeNanos = 0;
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                decoder.decode(bytes, side, side);
                long t1 = System.nanoTime();
                preprocessor.toTensor(bytes);
                long t2 = System.nanoTime();
                decodeNanos += t1 - t0;
                wholeNanos += t2 - t1;
            }
            decode = decodeNanos / 1e6 / iterations;
            whole = wholeNanos / 1e6 / iterations;
        }
        System.out.printf(java.util.Locale.ROOT, "STEPS decode=%.3f resize_scale=%.3f%n", decode, whole - decode);
    }
}
