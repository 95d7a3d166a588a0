package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.NativeCache;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the configuration once: defaults &lt; model-config.yaml &lt; environment &lt; command-line flags.
 * Unknown yaml keys are reported as warnings; unknown flags and invalid values stop start-up.
 */
public final class ConfigLoader {
    /** Sections a model-config.yaml may group keys under; they are flattened. */
    private static final List<String> SECTIONS = List.of("model", "store", "server", "batching", "image", "batch",
            "repository");

    private ConfigLoader() {
    }

    /** Loads the configuration for this machine. */
    public static RuntimeConfig load(String[] args, Map<String, String> env) {
        return load(args, env, null);
    }

    /**
     * Loads the configuration, resolving automatic values against {@code host} (null = this machine, as
     * seen with the configured CUDA_VISIBLE_DEVICES).
     */
    public static RuntimeConfig load(String[] args, Map<String, String> env, HostResources host) {
        return load(args, env, Map.of(), host);
    }

    /**
     * Loads the configuration with a task's own settings (a YMIR task's config.yaml, keyed like
     * model-config.yaml) between the environment and the flags: defaults &lt; model-config.yaml &lt;
     * environment &lt; task &lt; flags. Unknown task keys are reported like unknown yaml keys.
     */
    public static RuntimeConfig load(String[] args, Map<String, String> env, Map<String, Object> task,
                                     HostResources host) {
        List<String> warnings = new ArrayList<>();
        Map<String, Object> flags = parseFlags(args);
        Map<String, Object> fromEnv = new LinkedHashMap<>();
        for (Option o : Option.ALL) {
            String v = env.get(o.env());
            if (v != null && !v.isEmpty()) {
                fromEnv.put(o.key(), v);
            }
        }
        Path configFile = configFile(flags, fromEnv);
        Map<String, Object> fromYaml = configFile == null ? Map.of() : readYaml(configFile, warnings);

        Map<String, Object> merged = new LinkedHashMap<>();
        for (Option o : Option.ALL) {
            if (o.defaultValue() != null) {
                merged.put(o.key(), o.defaultValue());
            }
        }
        merged.putAll(fromYaml);
        merged.putAll(fromEnv);
        task.forEach((key, value) -> {
            if (Option.byKey(key) == null) {
                warnings.add("unknown task setting '" + key + "' is ignored" + DidYouMean.hint(key, Option.keys()));
            } else if (value != null) {
                merged.put(key, value);
            }
        });
        merged.putAll(flags);
        ConfigValues values = new ConfigValues(merged);
        HostResources machine = host != null ? host : HostResources.detect(new com.modelfactory.runtime.engine
                .EngineEnvironment(null, values.string("cuda_visible_devices"), null));
        return buildReportingAll(values, configFile, warnings, machine);
    }

    /**
     * Builds the configuration, reporting every invalid value at once: an invalid setting is noted, put back to its
     * default and the build retried, so one start names all of a file's mistakes (exit 2) rather than one a start.
     */
    private static RuntimeConfig buildReportingAll(ConfigValues values, Path configFile, List<String> warnings,
                                                   HostResources machine) {
        List<String> errors = new ArrayList<>();
        for (int attempt = 0; attempt <= Option.ALL.size(); attempt++) {
            try {
                RuntimeConfig config = build(values, configFile, warnings, machine);
                if (errors.isEmpty()) {
                    return config;
                }
                break;
            } catch (ConfigException e) {
                errors.add(e.getMessage());
                if (e.key() == null || !values.resetToDefault(e.key())) {
                    break; // not one setting's value: nothing left to check it with
                }
            }
        }
        if (errors.size() == 1) {
            throw new ConfigException(errors.get(0));
        }
        StringBuilder all = new StringBuilder(errors.size() + " configuration errors:");
        for (int i = 0; i < errors.size(); i++) {
            all.append("\n  ").append(i + 1).append(". ").append(errors.get(i));
        }
        throw new ConfigException(all.toString());
    }

    /** The configuration of one model of a repository, from the server's flags and environment. */
    @FunctionalInterface
    public interface PerModel {
        /**
         * @param modelPath   the version folder (or file) to serve; null for a model from the store
         * @param modelConfig the model's own model-config.yaml; null when it has none
         * @param override    settings a load request carries (Triton's load with a config); empty for none
         */
        RuntimeConfig of(Path modelPath, String name, Path modelConfig, Map<String, Object> override);
    }

    /**
     * Per-model configurations of a repository: defaults &lt; environment &lt; flags (the server-wide
     * settings) &lt; the model's own model-config.yaml &lt; a load request's override; the model's path and
     * name are the repository's.
     */
    public static PerModel perModel(String[] args, Map<String, String> env) {
        Map<String, Object> flags = parseFlags(args);
        return (modelPath, name, modelConfig, override) -> {
            List<String> warnings = new ArrayList<>();
            Map<String, Object> merged = new LinkedHashMap<>();
            for (Option o : Option.ALL) {
                if (o.defaultValue() != null) {
                    merged.put(o.key(), o.defaultValue());
                }
            }
            for (Option o : Option.ALL) {
                String v = env.get(o.env());
                if (v != null && !v.isEmpty()) {
                    merged.put(o.key(), v);
                }
            }
            merged.putAll(flags);
            if (modelConfig != null) {
                merged.putAll(readYaml(modelConfig, warnings));
            }
            override.forEach((key, value) -> {
                if (Option.byKey(key) == null) {
                    throw new ConfigException("unknown setting '" + key + "' in the load request's config"
                            + DidYouMean.hint(key, Option.keys()));
                }
                merged.put(key, value);
            });
            if (modelPath != null) {
                merged.put("model", modelPath.toString());
            } else {
                merged.remove("model"); // a model from the store: model_id and model_version are in the override
            }
            merged.put("model_name", name);
            merged.remove("config");
            ConfigValues values = new ConfigValues(merged);
            HostResources machine = HostResources.detect(new com.modelfactory.runtime.engine.EngineEnvironment(null,
                    values.string("cuda_visible_devices"), null));
            return buildReportingAll(values, modelConfig, warnings, machine);
        };
    }

    /** The model-config.yaml to read: named by flag or env, else one beside a local model path. */
    private static Path configFile(Map<String, Object> flags, Map<String, Object> env) {
        Object named = flags.containsKey("config") ? flags.get("config") : env.get("config");
        if (named != null) {
            Path p = Path.of(named.toString());
            if (!Files.isRegularFile(p)) {
                throw new ConfigException("config file " + p + " (--config / MODEL_CONFIG) does not exist");
            }
            return p;
        }
        Object model = flags.containsKey("model") ? flags.get("model") : env.get("model");
        if (model != null && !model.toString().contains("://")) {
            Path m = Path.of(model.toString());
            Path dir = Files.isDirectory(m) ? m : m.toAbsolutePath().getParent();
            for (String name : List.of("model-config.yaml", "model-config.yml")) {
                if (dir != null && Files.isRegularFile(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        }
        return null;
    }

    static Map<String, Object> parseFlags(String[] args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + a + "'; run with --help for the options");
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Option o = Option.byFlag(name);
            if (o == null) {
                throw new ConfigException("unknown option " + name + DidYouMean.hint(name, Option.flags())
                        + "; run with --help for the options");
            }
            if (value == null && o.bareFlag() && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                value = "true";
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option " + name + " needs a value");
                }
                value = args[++i];
            }
            out.put(o.key(), value);
        }
        return out;
    }

    private static Map<String, Object> readYaml(Path file, List<String> warnings) {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException | YAMLException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> root)) {
            throw new ConfigException(file + " must hold a mapping of settings, not " + doc.getClass().getSimpleName());
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String key = String.valueOf(e.getKey());
            // `model:` is both a section and the model path setting: a mapping is the section.
            if (SECTIONS.contains(key) && e.getValue() instanceof Map<?, ?> section) {
                section.forEach((k, v) -> put(flat, String.valueOf(k), v, file, warnings));
            } else {
                put(flat, key, e.getValue(), file, warnings);
            }
        }
        return flat;
    }

    private static void put(Map<String, Object> flat, String key, Object value, Path file, List<String> warnings) {
        if (Option.byKey(key) == null) {
            warnings.add("unknown key '" + key + "' in " + file + " is ignored" + DidYouMean.hint(key, Option.keys()));
        } else if (value != null) {
            flat.put(key, value);
        }
    }

    private static RuntimeConfig build(ConfigValues v, Path configFile, List<String> warnings, HostResources host) {
        Device device = v.device("device");
        var batching = batching(v, device, host);
        var model = new RuntimeConfig.ModelSettings(
                v.string("model"), v.string("model_name"), v.format("model_format"), device, v.string("signature"),
                v.specs("inputs"), v.specs("outputs"), v.path("labels"),
                batching.threading().light().intraOpThreads(), v.intAtLeast("inter_op_threads", 0),
                v.path("native_cache_dir") != null ? v.path("native_cache_dir") : NativeCache.defaultRoot(), configFile,
                v.string("cuda_visible_devices"), v.path("djl_cache_dir"), v.stringMap("engine_options"));
        var store = new RuntimeConfig.StoreSettings(
                v.string("xquery_addr"), v.string("model_id"), v.string("model_version"), v.string("guid"),
                v.string("model_url_template"), v.stringMap("store_headers"),
                v.path("model_dir") != null ? v.path("model_dir") : defaultModelDir(),
                v.string("model_sha256"), v.string("model_version_dir"), v.string("model_file"),
                v.millis("download_connect_timeout_ms", 1), v.millis("download_read_timeout_ms", 1),
                v.intAtLeast("download_retries", 0), v.millis("download_retry_backoff_ms", 0),
                v.millis("download_retry_max_backoff_ms", 1), v.millis("download_progress_interval_ms", 1),
                v.intAtLeast("max_archive_entries", 1), v.bytes("max_unpacked_bytes", 1),
                v.intAtLeast("max_compression_ratio", 1), storeTls(v));
        var server = new RuntimeConfig.ServerSettings(v.string("host"), v.port("port"), v.bytes("max_body_bytes", 1),
                v.millis("drain_timeout_ms", 0), v.millis("header_timeout_ms", 1), v.millis("body_timeout_ms", 1),
                v.port("grpc_port"), v.path("auth_tokens_file"), tls(v), v.port("health_port"),
                v.bool("access_log"), v.intAtLeast("access_log_max_per_second", 0), v.ascendingSeconds("latency_buckets"));
        var image = new RuntimeConfig.ImageSettings(v.oneOf("layout", RuntimeConfig.Layout.class),
                v.oneOf("color", RuntimeConfig.Color.class), v.intAtLeast("width", 0), v.intAtLeast("height", 0),
                v.optionalFloat("scale"), v.floats("mean"), v.floats("std"), v.longAtLeast("max_image_pixels", 0),
                v.bool("exif_orientation"), v.oneOf("resize", RuntimeConfig.Resize.class),
                v.oneOf("letterbox_align", RuntimeConfig.LetterboxAlign.class), v.floatIn("pad_value", 0, 255), false);
        return new RuntimeConfig(model, store, server, batching, image, List.copyOf(warnings), batch(v), task(v),
                repository(v));
    }

    private static RuntimeConfig.RepositorySettings repository(ConfigValues v) {
        String load = v.string("load_models");
        List<String> names = load == null ? List.of() : java.util.Arrays.stream(load.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        String roots = v.string("model_repository");
        List<Path> folders = roots == null ? List.of() : java.util.Arrays.stream(roots.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
        Map<String, RuntimeConfig.StoreModel> fromStore = new java.util.TreeMap<>();
        String store = v.string("store_models");
        for (String entry : store == null ? new String[0] : store.split(",")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([^=\\s]+)=([^:\\s]+):([^\\s]+)\\s*")
                    .matcher(entry);
            if (!m.matches()) {
                throw v.invalid("store_models", "name=MODEL_ID:MODEL_VERSION entries separated by commas");
            }
            fromStore.put(m.group(1), new RuntimeConfig.StoreModel(m.group(2), m.group(3)));
        }
        return new RuntimeConfig.RepositorySettings(folders, Map.copyOf(fromStore),
                v.oneOf("model_control_mode", RuntimeConfig.ControlMode.class), names, v.millis("repository_poll_ms", 100),
                VersionPolicy.parse(v.string("version_policy")), v.bool("required"), v.bytes("model_memory_budget", 0),
                budgetPolicy(v), v.bytes("model_memory", 0), v.bytes("gpu_memory_budget", 0));
    }

    private static com.modelfactory.runtime.fetch.StoreTls storeTls(ConfigValues v) {
        Path ca = v.path("store_ca_file");
        Path cert = v.path("store_cert_file");
        Path key = v.path("store_key_file");
        if ((cert == null) != (key == null)) {
            throw v.invalid(cert == null ? "store_cert_file" : "store_key_file", "set together with "
                    + (cert == null ? "store_key_file" : "store_cert_file"));
        }
        return ca == null && cert == null ? null : new com.modelfactory.runtime.fetch.StoreTls(ca, cert, key);
    }

    private static RuntimeConfig.TlsSettings tls(ConfigValues v) {
        Path cert = v.path("tls_cert_file");
        Path key = v.path("tls_key_file");
        Path ca = v.path("tls_client_ca_file");
        if (cert == null && key == null) {
            if (ca != null) {
                throw v.invalid("tls_client_ca_file", "set together with tls_cert_file and tls_key_file");
            }
            return null;
        }
        if (cert == null || key == null) {
            throw v.invalid(cert == null ? "tls_cert_file" : "tls_key_file", "set together with "
                    + (cert == null ? "tls_key_file" : "tls_cert_file"));
        }
        String auth = v.string("tls_client_auth");
        if (!"required".equals(auth) && !"optional".equals(auth)) {
            throw v.invalid("tls_client_auth", "required or optional");
        }
        return new RuntimeConfig.TlsSettings(cert, key, ca, auth.equals("required"));
    }

    private static boolean budgetPolicy(ConfigValues v) {
        String p = v.string("memory_budget_policy");
        if (!"evict".equals(p) && !"refuse".equals(p)) {
            throw v.invalid("memory_budget_policy", "evict or refuse");
        }
        return p.equals("evict");
    }

    private static RuntimeConfig.TaskSettings task(ConfigValues v) {
        String task = v.string("task");
        if (task != null && !List.of("auto", "classification", "detection", "semantic_segmentation",
                "instance_segmentation", "raw").contains(task.toLowerCase(java.util.Locale.ROOT))) {
            throw v.invalid("task", "auto, classification, detection, semantic_segmentation, instance_segmentation or raw");
        }
        String scores = v.string("scores").toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "softmax", "raw").contains(scores)) {
            throw v.invalid("scores", "auto, softmax or raw");
        }
        return new RuntimeConfig.TaskSettings("auto".equalsIgnoreCase(task) ? null : task.toLowerCase(java.util.Locale.ROOT),
                v.string("decoder"), v.floatIn("conf_threshold", 0, 1), v.floatIn("iou_threshold", 0, 1),
                v.intAtLeast("max_det", 1), v.bool("agnostic_nms"), scores, v.bool("postprocess"), null,
                v.path("decoder_path"));
    }

    private static RuntimeConfig.BatchSettings batch(ConfigValues v) {
        String metricsPort = v.string("metrics_port");
        return new RuntimeConfig.BatchSettings(v.path("input"), v.path("output"), v.intAtLeast("top_k", 0),
                v.bool("resume"), shard(v), metricsPort == null ? null : v.port("metrics_port"),
                v.string("metrics_host"), v.millis("progress_interval_ms", 1), v.path("ymir_env_file"));
    }

    /** --shard i/N, else JOB_COMPLETION_INDEX of JOB_COMPLETIONS (an Indexed Job), else everything (0/1). */
    private static RuntimeConfig.Shard shard(ConfigValues v) {
        String shard = v.string("shard");
        if (shard != null) {
            String[] parts = shard.split("/");
            try {
                if (parts.length == 2) {
                    return checkedShard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()), v, "shard");
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw v.invalid("shard", "i/N with 0 <= i < N, e.g. 0/4");
        }
        String index = v.string("job_completion_index");
        if (index == null) {
            return new RuntimeConfig.Shard(0, 1);
        }
        if (v.string("job_completions") == null) {
            throw new ConfigException("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS (the number of shards, "
                    + "--job-completions) is not: set it to the Job's completions");
        }
        return checkedShard(v.intAtLeast("job_completion_index", 0), v.intAtLeast("job_completions", 1), v,
                "job_completion_index");
    }

    private static RuntimeConfig.Shard checkedShard(int index, int count, ConfigValues v, String key) {
        if (count < 1 || index < 0 || index >= count) {
            throw v.invalid(key, "a shard index i with 0 <= i < N (N = " + count + ")");
        }
        return new RuntimeConfig.Shard(index, count);
    }

    /**
     * Workers and engine threads: as set, else 1 worker on a GPU, else chosen at start-up between a light
     * and a heavy layout by the model's measured cost ({@link Threading}).
     */
    private static RuntimeConfig.BatchingSettings batching(ConfigValues v, Device device, HostResources host) {
        boolean gpu = device.kind() == Device.Kind.CUDA || (device.kind() == Device.Kind.AUTO && host.gpuVisible());
        Threading threading = Threading.resolve(host.cores(), gpu, v.intAtLeast("instances", 0),
                v.intAtLeast("intra_op_threads", 0));
        int maxBatch = v.intAtLeast("max_batch_size", 0);
        return new RuntimeConfig.BatchingSettings(maxBatch == 0 ? OptionalInt.empty() : OptionalInt.of(maxBatch),
                v.millis("max_batch_delay_ms", 0), v.intAtLeast("queue_capacity", 1), threading.light().workers(),
                Math.max(2, host.cores()), v.millis("request_timeout_ms", 1), threading,
                v.intAtLeast("max_request_items", 1));
    }

    /** MODEL_DIR unset: {@code /models} when it exists and is writable (the image), else a per-user cache folder. */
    static Path defaultModelDir() {
        Path image = Path.of("/models");
        if (Files.isDirectory(image) && Files.isWritable(image)) {
            return image;
        }
        return Path.of(System.getProperty("user.home"), ".cache", "model-runtime", "models");
    }

    /** The --help text: every option with its flag, env name and default. */
    public static String help() {
        StringBuilder sb = new StringBuilder("Usage: server/bin/model-server [options]\n"
                + "       server/bin/model-server batch [options]   (offline inference: the batch options)\n"
                + "       (the launcher runs java -jar model-server.jar with the image's JVM settings)\n"
                + "Settings come from defaults < model-config.yaml < environment < flags. Every option: docs/configuration.md\n");
        String section = "";
        for (Option o : Option.ALL) {
            if (!o.section().equals(section)) {
                section = o.section();
                sb.append('\n').append(section).append(":\n");
            }
            sb.append(String.format("  %-30s %-28s %s%n", o.flag() + " <v>", o.env(), o.help()));
            if (o.defaultValue() != null) {
                sb.append(String.format("  %-30s %-28s default: %s%n", "", "", o.defaultValue()));
            }
        }
        return sb.toString();
    }
}
