package com.modelfactory.runtime.batch.ymir;

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

/** YMIR's yaml files, read safely (no object construction) as mappings, with YMIR's loose value types. */
final class YamlFiles {
    private YamlFiles() {
    }

    /** The file's mapping; an empty file is an empty mapping. */
    static Map<String, Object> read(Path file) throws IOException {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (YAMLException e) {
            throw new IOException(file + " is not valid yaml: " + e.getMessage(), e);
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new IOException(file + " must hold a yaml mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A nested mapping ({@code input:}, {@code output:}); empty when absent. */
    static Map<String, Object> section(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        Map<String, Object> out = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, val) -> out.put(String.valueOf(k), val));
        }
        return out;
    }

    static String string(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        return v == null ? null : v.toString();
    }

    /** YMIR writes booleans as true/false and its protocol document as 1/0: both are read. */
    static boolean flag(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.intValue() != 0;
        }
        String s = v == null ? "" : v.toString().trim().toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("1") || s.equals("yes");
    }

    /** A list of strings; a single value is a list of one. */
    static List<String> strings(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        } else if (v != null && !v.toString().isBlank()) {
            out.add(v.toString());
        }
        return out;
    }
}
