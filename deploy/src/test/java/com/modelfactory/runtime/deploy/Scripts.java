package com.modelfactory.runtime.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the module's shell scripts (bash) the way the image and CI do, capturing exit code and output. */
final class Scripts {
    record Result(int exitCode, String stdout, String stderr) {
    }

    private Scripts() {
    }

    static Path deployDir() {
        return Path.of(System.getProperty("deploy.dir", ".")).toAbsolutePath().normalize();
    }

    static Result run(Map<String, String> env, String script, String... args) throws IOException, InterruptedException {
        return runWithInput(env, "", script, args);
    }

    /** As {@link #run}, with {@code input} on the script's stdin. */
    static Result runWithInput(Map<String, String> env, String input, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", deployDir().resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("HOSTS");
        pb.environment().remove("MODEL_PATH");
        pb.environment().remove("YMIR_ENV_FILE");
        pb.environment().remove("REGISTRY_USER");
        pb.environment().remove("REGISTRY_PASSWORD");
        pb.environment().putAll(env);
        Path out = java.nio.file.Files.createTempFile("script", ".out");
        Path err = java.nio.file.Files.createTempFile("script", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " did not finish");
        }
        Result r = new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
        java.nio.file.Files.delete(out);
        java.nio.file.Files.delete(err);
        return r;
    }
}
