package com.modelfactory.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build-image.sh --context-only: how a factory delivery folder lands in the build context. The jars
 * are placeholders here (their content is irrelevant to the layout); the image itself is built and
 * run by deploy/ci/image-test.sh.
 */
class BuildContextTest {
    private static final String SCRIPT = "build-image.sh";

    @TempDir
    Path dir;
    Map<String, String> env;
    Path sample = Scripts.deployDir().resolve("samples/tiny-cnn");

    /** Third-party jar names long enough that the manifest's Class-Path wraps over several lines. */
    private static final List<String> THEIRS = IntStream.range(0, 12)
            .mapToObj(i -> "some-rather-long-third-party-library-name-" + i + "-1.0.jar").toList();

    @BeforeEach
    void fakeBuildOutput() throws Exception {
        Path target = Files.createDirectories(dir.resolve("server-target/lib"));
        List<String> classPath = new ArrayList<>();
        classPath.add("lib/model-loaders-0.1.0-SNAPSHOT.jar");
        THEIRS.forEach(j -> classPath.add("lib/" + j));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        try (JarOutputStream jar = new JarOutputStream(
                Files.newOutputStream(target.getParent().resolve("model-server.jar")), manifest)) {
            jar.flush();
        }
        Files.writeString(target.resolve("model-loaders-0.1.0-SNAPSHOT.jar"), "ours");
        for (String j : THEIRS) {
            Files.writeString(target.resolve(j), "theirs");
        }
        // Left over from a build of the other variant: not on the manifest, so not in the image.
        Files.writeString(target.resolve("onnxruntime_gpu-1.23.2.jar"), "stale");
        Files.writeString(dir.resolve("warmup.jar"), "warmup");
        env = Map.of("MODEL_RUNTIME_SERVER_TARGET", target.getParent().toString(),
                "MODEL_RUNTIME_WARMUP_JAR", dir.resolve("warmup.jar").toString());
    }

    private Path context(String... args) throws Exception {
        Path ctx = dir.resolve("ctx");
        String[] all = Stream.concat(Stream.of("--skip-maven", "--context-only", ctx.toString()), Stream.of(args))
                .toArray(String[]::new);
        Scripts.Result r = Scripts.run(env, SCRIPT, all);
        assertEquals(0, r.exitCode(), r.stderr());
        return ctx;
    }

    @Test
    void mapsTheSampleDeliveryFolderOntoTheContext() throws Exception {
        Path ctx = context(sample.toString());
        assertTrue(Files.isRegularFile(ctx.resolve("Dockerfile")));
        assertTrue(Files.isExecutable(ctx.resolve("app/bin/entrypoint.sh")));
        assertTrue(Files.isExecutable(ctx.resolve("app/bin/model-server")), "the launcher the entrypoint execs");
        assertTrue(Files.isExecutable(ctx.resolve("app/bin/cds-archive")), "the class-data training the build runs");
        // Our jars and third-party jars go to separate layers.
        assertTrue(Files.exists(ctx.resolve("app/lib/model-loaders-0.1.0-SNAPSHOT.jar")));
        for (String j : THEIRS) {
            assertTrue(Files.exists(ctx.resolve("deps/lib/" + j)), j + " (from a wrapped manifest line) missing");
        }
        assertFalse(Files.exists(ctx.resolve("deps/lib/model-loaders-0.1.0-SNAPSHOT.jar")));
        assertFalse(Files.exists(ctx.resolve("deps/lib/onnxruntime_gpu-1.23.2.jar")), "stale jar copied");
        assertEquals(Files.readString(sample.resolve("model_resource/model-config.yaml")),
                Files.readString(ctx.resolve("delivery/config/model-config.yaml")));
        assertEquals(Files.readString(sample.resolve("system/etc/model-factory/site.conf")),
                Files.readString(ctx.resolve("delivery/system/etc/model-factory/site.conf")));
        assertTrue(Files.exists(ctx.resolve("delivery/hooks/image-build-start.sh")));
        assertTrue(Files.exists(ctx.resolve("delivery/hooks/image-build-end.sh")));
        List<String> env = Files.readAllLines(ctx.resolve("delivery/config/delivery.env"));
        assertTrue(env.contains("MODEL_CONFIG=/opt/model-runtime/config/model-config.yaml"), env.toString());
        assertFalse(env.stream().anyMatch(l -> l.startsWith("MODEL_PATH=")), "no model baked: the store provides it");
        String notApplicable = Files.readString(ctx.resolve("delivery/NOT_APPLICABLE.txt"));
        assertTrue(notApplicable.contains("environment.yml") && notApplicable.contains("code/"), notApplicable);
        assertTrue(Files.readString(ctx.resolve("build-args")).contains("BASE_IMAGE=docker.io/library/eclipse-temurin"));
    }

    @Test
    void bakesAModelArchiveFromTheDeliveryFolder() throws Exception {
        Path delivery = Files.createDirectories(dir.resolve("delivery/model_resource"));
        Files.writeString(delivery.resolve("model.tar.gz"), "archive");
        Path ctx = context(delivery.getParent().toString());
        assertEquals("archive", Files.readString(ctx.resolve("delivery/model/model.tar.gz")));
        assertTrue(Files.readAllLines(ctx.resolve("delivery/config/delivery.env")).contains("MODEL_PATH=/models/model.tar.gz"));
        assertFalse(Files.exists(ctx.resolve("delivery/NOT_APPLICABLE.txt")));
    }

    @Test
    void gpuVariantAsksForCudaNativesAndTheCudaBase() throws Exception {
        Path ctx = context("--variant", "gpu", sample.toString());
        String args = Files.readString(ctx.resolve("build-args"));
        assertTrue(args.contains("BASE_IMAGE=docker.io/nvidia/cuda:") && args.contains("cudnn-runtime"), args);
        assertTrue(args.contains("WARMUP_DEVICE=cuda") && args.contains("PYTORCH_FLAVOR=cu126")
                && args.contains("DJL_OFFLINE=false"), args);
        assertTrue(Files.readAllLines(ctx.resolve("app/runtime.env")).contains("PYTORCH_FLAVOR=cu126"));
    }

    @Test
    void carriesYmirsFilesWithOneGpuAskedForOnlyByTheGpuVariant() throws Exception {
        Path cpu = context(sample.toString());
        assertEquals(Files.readString(Scripts.deployDir().resolve("image/img-man/manifest.yaml")),
                Files.readString(cpu.resolve("ymir/img-man/manifest.yaml")));
        assertTrue(Files.readAllLines(cpu.resolve("ymir/img-man/infer-template.yaml")).contains("gpu_count: 0"));
        assertTrue(Files.isExecutable(cpu.resolve("ymir/start.sh")), "the image's default command");
        Path gpu = dir.resolve("gpu-ctx");
        Scripts.Result r = Scripts.run(env, SCRIPT, "--skip-maven", "--variant", "gpu", "--context-only", gpu.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> template = Files.readAllLines(gpu.resolve("ymir/img-man/infer-template.yaml"));
        assertTrue(template.contains("gpu_count: 1") && !template.contains("gpu_count: 0"), template.toString());
    }

    @Test
    void rejectsAnUnknownVariantAndAMissingDeliveryFolder() throws Exception {
        Scripts.Result variant = Scripts.run(env, SCRIPT, "--skip-maven", "--variant", "tpu", "--context-only",
                dir.resolve("a").toString());
        assertNotEquals(0, variant.exitCode());
        assertTrue(variant.stderr().contains("--variant must be cpu or gpu"), variant.stderr());
        Scripts.Result missing = Scripts.run(env, SCRIPT, "--skip-maven", "--context-only",
                dir.resolve("b").toString(), dir.resolve("nope").toString());
        assertNotEquals(0, missing.exitCode());
        assertTrue(missing.stderr().contains("does not exist"), missing.stderr());
    }
}
