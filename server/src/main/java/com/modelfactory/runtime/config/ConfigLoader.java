package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.NativeCache;
import com.modelfactory.runtime.engine.TensorSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private static final List<String> SECTIONS = List.of("model", "store", "server", "batching", "image");

    private ConfigLoader() {
    }

    public static RuntimeConfig load(String[] args, Map<String, String> env) {
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
        merged.putAll(flags);
        return build(new Values(merged), configFile, warnings);
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
                throw new ConfigException("unknown option " + name + "; run with --help for the options");
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
            warnings.add("unknown key '" + key + "' in " + file + " is ignored");
        } else if (value != null) {
            flat.put(key, value);
        }
    }

    private static RuntimeConfig build(Values v, Path configFile, List<String> warnings) {
        v.format("model_format");
        var model = new RuntimeConfig.ModelSettings(
                v.string("model"), v.string("model_name"), v.string("model_format"),
                v.device("device"), v.string("signature"),
                v.specs("inputs"), v.specs("outputs"), v.path("labels"),
                v.intAtLeast("intra_op_threads", 0), v.intAtLeast("inter_op_threads", 0),
                v.path("native_cache_dir") != null ? v.path("native_cache_dir") : NativeCache.defaultRoot(), configFile,
                v.string("cuda_visible_devices"), v.path("djl_cache_dir"));
        var store = new RuntimeConfig.StoreSettings(
                v.string("xquery_addr"), v.string("model_id"), v.string("model_version"), v.string("guid"),
                v.string("model_url_template"), v.stringMap("store_headers"),
                v.path("model_dir") != null ? v.path("model_dir") : defaultModelDir(),
                v.string("model_sha256"), v.string("model_version_dir"), v.string("model_file"),
                v.intAtLeast("download_connect_timeout_ms", 1), v.intAtLeast("download_read_timeout_ms", 1),
                v.intAtLeast("download_retries", 0), v.longAtLeast("download_retry_backoff_ms", 0),
                v.longAtLeast("download_retry_max_backoff_ms", 1), v.longAtLeast("download_progress_interval_ms", 1),
                v.intAtLeast("max_archive_entries", 1),
                v.longAtLeast("max_unpacked_bytes", 1), v.intAtLeast("max_compression_ratio", 1));
        var server = new RuntimeConfig.ServerSettings(v.string("host"), v.port("port"),
                v.longAtLeast("max_body_bytes", 1), v.longAtLeast("drain_timeout_ms", 0),
                v.longAtLeast("header_timeout_ms", 1), v.longAtLeast("body_timeout_ms", 1), v.port("grpc_port"));
        var batching = new RuntimeConfig.BatchingSettings(v.intAtLeast("max_batch_size", 0),
                v.longAtLeast("max_batch_delay_ms", 0), v.intAtLeast("queue_capacity", 1),
                v.intAtLeast("instances", 0), v.longAtLeast("request_timeout_ms", 1));
        var image = new RuntimeConfig.ImageSettings(v.oneOf("layout", "auto", "nchw", "nhwc"),
                v.oneOf("color", "auto", "rgb", "bgr", "grayscale"), v.intAtLeast("width", 0),
                v.intAtLeast("height", 0), v.optionalFloat("scale"), v.floats("mean"), v.floats("std"),
                v.longAtLeast("max_image_pixels", 0), v.bool("exif_orientation"));
        return new RuntimeConfig(model, store, server, batching, image, List.copyOf(warnings));
    }

    /** MODEL_DIR unset: {@code /models} when it exists and is writable (the image), else a per-user cache folder. */
    static Path defaultModelDir() {
        Path image = Path.of("/models");
        if (Files.isDirectory(image) && Files.isWritable(image)) {
            return image;
        }
        return Path.of(System.getProperty("user.home"), ".cache", "model-runtime", "models");
    }

    /** Typed access to merged raw values; every error names the setting and how to set it. */
    private record Values(Map<String, Object> raw) {

        String string(String key) {
            Object o = raw.get(key);
            return o == null || o.toString().isBlank() ? null : o.toString().trim();
        }

        Path path(String key) {
            String s = string(key);
            return s == null ? null : Path.of(s);
        }

        long longAtLeast(String key, long min) {
            String s = string(key);
            long value;
            try {
                value = Long.parseLong(s);
            } catch (NumberFormatException | NullPointerException e) {
                throw invalid(key, "a whole number");
            }
            if (value < min) {
                throw invalid(key, "a number >= " + min);
            }
            return value;
        }

        int intAtLeast(String key, int min) {
            long value = longAtLeast(key, min);
            if (value > Integer.MAX_VALUE) {
                throw invalid(key, "a number <= " + Integer.MAX_VALUE);
            }
            return (int) value;
        }

        int port(String key) {
            int p = intAtLeast(key, 0);
            if (p > 65535) {
                throw invalid(key, "a port between 0 and 65535");
            }
            return p;
        }

        void format(String key) {
            String s = string(key);
            if (s != null) {
                try {
                    com.modelfactory.runtime.engine.ModelFormat.fromId(s);
                } catch (IllegalArgumentException e) {
                    throw invalid(key, "onnx, torchscript, keras_h5, tf_savedmodel, tf_frozen_graph or tf_checkpoint");
                }
            }
        }

        Device device(String key) {
            try {
                return Device.parse(string(key));
            } catch (IllegalArgumentException e) {
                throw invalid(key, "auto, cpu, cuda or cuda:N");
            }
        }

        String oneOf(String key, String... allowed) {
            String s = string(key);
            if (s == null) {
                return allowed[0];
            }
            String lower = s.toLowerCase(Locale.ROOT);
            for (String a : allowed) {
                if (a.equals(lower)) {
                    return a;
                }
            }
            throw invalid(key, "one of " + String.join(", ", allowed));
        }

        boolean bool(String key) {
            String s = string(key);
            String lower = s == null ? "" : s.toLowerCase(Locale.ROOT);
            return switch (lower) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw invalid(key, "true or false");
            };
        }

        Float optionalFloat(String key) {
            String s = string(key);
            if (s == null) {
                return null;
            }
            try {
                return Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw invalid(key, "a number");
            }
        }

        float[] floats(String key) {
            Object o = raw.get(key);
            if (o == null) {
                return null;
            }
            List<?> items = o instanceof List<?> l ? l : List.of(o.toString().split(","));
            float[] out = new float[items.size()];
            for (int i = 0; i < out.length; i++) {
                try {
                    out[i] = Float.parseFloat(items.get(i).toString().trim());
                } catch (NumberFormatException e) {
                    throw invalid(key, "a list of numbers");
                }
            }
            return out;
        }

        Map<String, String> stringMap(String key) {
            Object o = raw.get(key);
            Map<String, String> out = new LinkedHashMap<>();
            if (o == null) {
                return out;
            }
            if (o instanceof Map<?, ?> m) {
                m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
                return out;
            }
            for (String pair : o.toString().split(",")) {
                int c = pair.indexOf(':');
                if (c <= 0) {
                    throw invalid(key, "Name:value pairs separated by commas");
                }
                out.put(pair.substring(0, c).trim(), pair.substring(c + 1).trim());
            }
            return out;
        }

        /** Tensor specs from a yaml list of maps, or env "name:FP32:1x3x224x224,name2" (shape optional). */
        List<TensorSpec> specs(String key) {
            Object o = raw.get(key);
            if (o == null) {
                return List.of();
            }
            List<TensorSpec> out = new ArrayList<>();
            List<?> items = o instanceof List<?> l ? l : List.of(o.toString().split(","));
            for (Object item : items) {
                try {
                    out.add(item instanceof Map<?, ?> m ? specFromMap(m) : specFromText(item.toString().trim()));
                } catch (IllegalArgumentException e) {
                    throw invalid(key, "tensor specs ({name, datatype, shape}): " + e.getMessage());
                }
            }
            return out;
        }

        private static TensorSpec specFromMap(Map<?, ?> m) {
            Object name = m.get("name");
            if (name == null) {
                throw new IllegalArgumentException("each entry needs a name");
            }
            DataType type = m.get("datatype") == null ? DataType.FP32 : DataType.fromName(m.get("datatype").toString());
            long[] shape = null;
            if (m.get("shape") instanceof List<?> dims) {
                shape = dims.stream().mapToLong(d -> Long.parseLong(d.toString())).toArray();
            }
            return new TensorSpec(name.toString(), type, shape);
        }

        private static TensorSpec specFromText(String s) {
            String[] parts = s.split(":");
            DataType type = parts.length > 1 ? DataType.fromName(parts[1]) : DataType.FP32;
            long[] shape = null;
            if (parts.length > 2) {
                String[] dims = parts[2].split("x");
                shape = new long[dims.length];
                for (int i = 0; i < dims.length; i++) {
                    shape[i] = Long.parseLong(dims[i].trim());
                }
            }
            return new TensorSpec(parts[0], type, shape);
        }

        private ConfigException invalid(String key, String expected) {
            Option o = Option.byKey(key);
            return new ConfigException("invalid value '" + raw.get(key) + "' for " + key + " (" + o.env() + ", "
                    + o.flag() + "): expected " + expected);
        }
    }

    /** The --help text: every option with its flag, env name and default. */
    public static String help() {
        StringBuilder sb = new StringBuilder("Usage: java -jar model-server.jar [options]\n"
                + "Settings come from defaults < model-config.yaml < environment < flags.\n");
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
