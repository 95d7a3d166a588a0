package com.modelfactory.runtime.batch;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;

import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Datasets for the batch tests: the fixture images, generated ones, a corrupt one, a non-image. */
public final class BatchFixtures {
    public static final String MODEL = fixture("onnx/tiny_cnn/model.onnx").toString();
    public static final Path FIXTURE_IMAGES = fixture("images");

    private BatchFixtures() {
    }

    /** Copies the fixture images (one without an extension) into {@code dir}. */
    public static void fixtureImages(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : List.of("cat32.png", "digit28.png", "rgb64x48.jpg", "rgb64x48.png", "rgba32.png")) {
            Files.copy(FIXTURE_IMAGES.resolve(name), dir.resolve(name));
        }
        Files.copy(FIXTURE_IMAGES.resolve("cat32.png"), dir.resolve("no-extension"));
    }

    /** {@code count} random images of varied sizes, PNG and JPEG, in sub-folders of {@code dir}. */
    public static void generated(Path dir, int count, long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            int w = 8 + random.nextInt(57);
            int h = 8 + random.nextInt(57);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            String format = i % 3 == 2 ? "jpg" : "png";
            Path file = dir.resolve("g" + (i % 7)).resolve(String.format("img-%05d.%s", i, format));
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format.equals("jpg") ? "jpeg" : "png", file.toFile())) {
                throw new IOException("no writer for " + format);
            }
        }
    }

    /** A JPEG cut after its first 300 bytes: an image by its header, undecodable. */
    public static Path corruptJpeg(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] whole = Files.readAllBytes(FIXTURE_IMAGES.resolve("rgb64x48.jpg"));
        return Files.write(file, Arrays.copyOf(whole, 300));
    }

    /** The records of a JSON Lines output, by path; fails on a path recorded twice. */
    public static Map<String, String> records(Path jsonl) throws IOException {
        Map<String, String> byPath = new LinkedHashMap<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (line.isBlank()) {
                continue;
            }
            String path = new JsonObject(line).getString("path");
            if (byPath.put(path, line) != null) {
                throw new AssertionError(path + " is recorded twice in " + jsonl);
            }
        }
        return byPath;
    }

    /** Runs {@code model-server batch} in this JVM. */
    public static int batch(Map<String, String> env, String... args) {
        return BatchCommand.run(args, env);
    }

    public static int batch(String... args) {
        return BatchCommand.run(args, Map.of());
    }
}
