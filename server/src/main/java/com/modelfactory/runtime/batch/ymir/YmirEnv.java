package com.modelfactory.runtime.batch.ymir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * YMIR's {@code /in/env.yaml} (../shared/YMIR.md section 4): what the task asks for and where its files
 * are. Paths are read from the file, unknown keys tolerated; a path the file leaves out takes the
 * default of YMIR's table, under input.root_dir (the task file's folder) or output.root_dir (/out).
 */
public record YmirEnv(String taskId, String protocolVersion, boolean runInfer, boolean runMining,
                      boolean runTraining, Path assetsDir, Path modelsDir, Path configFile,
                      Path candidateIndexFile, Path inferResultFile, Path monitorFile, Path miningResultFile) {

    /** Whether the platform reads {@code boxes} (protocol 1.0.0 and later) or the older {@code annotations}. */
    boolean boxesKey() {
        String[] parts = protocolVersion.split("\\.");
        try {
            return Integer.parseInt(parts[0].trim()) >= 1;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    static YmirEnv read(Path file) throws IOException {
        Map<String, Object> doc = YamlFiles.read(file);
        Map<String, Object> in = YamlFiles.section(doc, "input");
        Map<String, Object> out = YamlFiles.section(doc, "output");
        Path inRoot = path(in, "root_dir", file.toAbsolutePath().getParent());
        Path outRoot = path(out, "root_dir", Path.of("/out"));
        String taskId = YamlFiles.string(doc, "task_id");
        if (taskId == null || taskId.isBlank()) {
            throw new IOException(file + " has no task_id");
        }
        String protocol = YamlFiles.string(doc, "protocol_version");
        return new YmirEnv(taskId, protocol == null ? "0.0.1" : protocol, YamlFiles.flag(doc, "run_infer"),
                YamlFiles.flag(doc, "run_mining"), YamlFiles.flag(doc, "run_training"),
                path(in, "assets_dir", inRoot.resolve("assets")), path(in, "models_dir", inRoot.resolve("models")),
                path(in, "config_file", inRoot.resolve("config.yaml")),
                path(in, "candidate_index_file", inRoot.resolve("candidate-index.tsv")),
                path(out, "infer_result_file", outRoot.resolve("infer-result.json")),
                path(out, "monitor_file", outRoot.resolve("monitor.txt")),
                path(out, "mining_result_file", outRoot.resolve("result.tsv")));
    }

    private static Path path(Map<String, Object> section, String key, Path otherwise) {
        String s = YamlFiles.string(section, key);
        return s == null || s.isBlank() ? otherwise : Path.of(s);
    }
}
