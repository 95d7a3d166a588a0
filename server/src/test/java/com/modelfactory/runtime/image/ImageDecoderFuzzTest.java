package com.modelfactory.runtime.image;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Random bytes and mutated valid images (bit flips, truncation, header fields set to extremes) into the
 * decode + preprocess path: the only outcomes are a tensor or a ServingException, never another
 * exception or an OutOfMemoryError.
 */
class ImageDecoderFuzzTest {
    /** A small limit keeps every accepted image cheap, so thousands of cases fit in seconds. */
    private static final long MAX_PIXELS = 1 << 20;
    private static final ImagePreprocessor MODEL;
    private static final List<byte[]> VALID = new ArrayList<>();

    static {
        try {
            ImageInput spec = ImageInput.resolve(ImageInputTest.sig(DataType.FP32, -1, 3, 16, 16), ImageInputTest.AUTO);
            MODEL = new ImagePreprocessor(new ImageInput(spec.inputName(), spec.dataType(), spec.rank(), spec.layout(),
                    spec.color(), spec.width(), spec.height(), spec.scale(), spec.mean(), spec.std(), MAX_PIXELS, true));
            for (String f : new String[] {"images/rgb64x48.png", "images/rgb64x48.jpg", "images/rgba32.png"}) {
                VALID.add(Files.readAllBytes(TestRuntime.fixture(f)));
            }
            for (String f : new String[] {"png-16bit-truecolor.png", "png-palette-transparent.png", "jpeg-cmyk.jpg",
                "gif-10000-frames.gif", "tiff-small.tif", "webp-exif-orientation-6.webp", "tiff-orientation-6.tif"}) {
                VALID.add(TestImages.corpus(f));
            }
            VALID.add(TestImages.encode(TestImages.photo(40, 30), "gif"));
            VALID.add(TestImages.encode(TestImages.photo(40, 30), "bmp"));
            VALID.add(TestImages.encode(TestImages.photo(40, 30), "tiff"));
            VALID.add(TestImages.jpeg(TestImages.photo(40, 30), true));
            VALID.add(TestImages.withJpegExif(TestImages.jpeg(TestImages.photo(40, 30), false), 6));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NotAnImageModelException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 2000, shrinking = ShrinkingMode.BOUNDED)
    void randomBytesAreATensorOrAServingException(@ForAll("randomBytes") byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    @Property(tries = 4000, shrinking = ShrinkingMode.BOUNDED)
    void mutatedImagesAreATensorOrAServingException(@ForAll("mutatedImages") byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    private static void decodeOrRefuse(byte[] bytes) {
        try {
            Tensor t = MODEL.toTensor(bytes);
            if (t.shape()[2] != 16 || t.shape()[3] != 16) {
                throw new AssertionError("tensor of shape " + Arrays.toString(t.shape()));
            }
        } catch (ServingException expected) {
            if (expected.kind() != ServingException.Kind.BAD_INPUT && expected.kind() != ServingException.Kind.TOO_LARGE) {
                throw new AssertionError("unexpected kind " + expected.kind(), expected);
            }
        }
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(512);
        // A real signature in front of noise reaches past the format probe into each reader.
        Arbitrary<byte[]> signed = Combinators.combine(Arbitraries.of(VALID), noise)
                .as((valid, tail) -> concat(Arrays.copyOf(valid, Math.min(valid.length, 16)), tail));
        return Arbitraries.oneOf(noise, signed);
    }

    @Provide
    Arbitrary<byte[]> mutatedImages() {
        Arbitrary<byte[]> valid = Arbitraries.of(VALID);
        Arbitrary<byte[]> flipped = Combinators.combine(valid, Arbitraries.integers().between(1, 8),
                Arbitraries.longs()).as(ImageDecoderFuzzTest::flipBits);
        Arbitrary<byte[]> truncated = Combinators.combine(valid, Arbitraries.doubles().between(0, 1))
                .as((b, f) -> Arrays.copyOf(b, (int) (b.length * f)));
        Arbitrary<byte[]> headerField = Combinators.combine(valid, Arbitraries.integers().between(0, 63),
                Arbitraries.of(0x00, 0xff, 0x7f, 0x80, 0x01)).as(ImageDecoderFuzzTest::setHeaderBytes);
        return Arbitraries.oneOf(flipped, truncated, headerField);
    }

    /** {@code count} random bit flips, anywhere. */
    private static byte[] flipBits(byte[] b, int count, long seed) {
        byte[] out = b.clone();
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(out.length);
            out[at] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    /** Two bytes in the first 64 (where sizes, depths, counts and offsets live) set to an extreme. */
    private static byte[] setHeaderBytes(byte[] b, int at, int value) {
        byte[] out = b.clone();
        for (int i = at; i < Math.min(at + 2, out.length); i++) {
            out[i] = (byte) value;
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
