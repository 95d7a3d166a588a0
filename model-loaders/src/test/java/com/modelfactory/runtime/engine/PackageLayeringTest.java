package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of model-loaders depend on each other one way, read from the sources (imports and fully
 * qualified names): the seam on nothing, detection on the seam, engines on the seam, no cycle anywhere.
 */
class PackageLayeringTest {
    private static final String ROOT = "com.modelfactory.runtime.";
    private static final Pattern REFERENCE = Pattern.compile("com\\.modelfactory\\.runtime\\.([a-z]+)\\.");
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "engine", Set.of(),
            "format", Set.of("engine"),
            "fetch", Set.of("engine", "format"),
            "onnx", Set.of("engine"),
            "pmml", Set.of("engine"),
            "torch", Set.of("engine"),
            "tensorflow", Set.of("engine", "format"),
            "keras", Set.of("engine", "tensorflow"));

    private static Map<String, Set<String>> uses;

    @BeforeAll
    static void readSources() throws IOException {
        Path base = Path.of("src/main/java/com/modelfactory/runtime");
        assertTrue(Files.isDirectory(base), "run from the model-loaders module: " + base.toAbsolutePath());
        uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = base.relativize(f.getParent()).toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
    }

    @Test
    void everyPackageUsesOnlyWhatItsLayerAllows() {
        assertEquals(ALLOWED.keySet(), uses.keySet(), "a new package needs its place in the layering");
        for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
            Set<String> extra = new TreeSet<>(e.getValue());
            extra.removeAll(ALLOWED.get(e.getKey()));
            assertTrue(extra.isEmpty(), ROOT + e.getKey() + " must not use " + extra);
        }
    }

    @Test
    void thereIsNoCycleBetweenPackages() {
        for (String start : uses.keySet()) {
            List<String> path = new ArrayList<>();
            path.add(start);
            assertNoCycle(start, path);
        }
    }

    private static void assertNoCycle(String at, List<String> path) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            assertTrue(!path.contains(next), "package cycle: " + String.join(" -> ", path) + " -> " + next);
            path.add(next);
            assertNoCycle(next, path);
            path.remove(path.size() - 1);
        }
    }
}
