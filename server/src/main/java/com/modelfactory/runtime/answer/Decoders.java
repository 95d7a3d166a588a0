package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.answer.decoders.BoxesScoresDecoder;
import com.modelfactory.runtime.answer.decoders.EndToEndDecoder;
import com.modelfactory.runtime.answer.decoders.MmdeployDecoder;
import com.modelfactory.runtime.answer.decoders.TfObjectDetectionDecoder;
import com.modelfactory.runtime.answer.decoders.YoloV5Decoder;
import com.modelfactory.runtime.answer.decoders.YoloV8Decoder;
import com.modelfactory.runtime.answer.decoders.YoloV8SegDecoder;
import com.modelfactory.runtime.answer.decoders.YoloxDecoder;
import com.modelfactory.runtime.config.ConfigException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The box decoders by name: the built-in families and any found in decoder jars
 * ({@link OutputDecoder}'s ServiceLoader contract). A jar's decoder may not take a built-in name.
 */
public final class Decoders {
    /** Names of the task-level "decoders" that are not box decoders. */
    public static final String SEMANTIC = "semantic";

    private final Map<String, OutputDecoder> byName;
    private final List<Path> jars;

    private Decoders(Map<String, OutputDecoder> byName, List<Path> jars) {
        this.byName = byName;
        this.jars = jars;
    }

    public static Decoders builtIn() {
        Map<String, OutputDecoder> m = new LinkedHashMap<>();
        for (OutputDecoder d : List.of(new YoloV8Decoder(), new YoloV5Decoder(), new YoloxDecoder(),
                new EndToEndDecoder(), new MmdeployDecoder(), new TfObjectDetectionDecoder(), new BoxesScoresDecoder(),
                new YoloV8SegDecoder())) {
            m.put(d.name(), d);
        }
        return new Decoders(m, List.of());
    }

    /**
     * The built-ins plus the decoders of the jars at {@code location} (a jar, or a folder of jars); none
     * when it does not exist.
     */
    public static Decoders load(Path location) {
        Decoders d = builtIn();
        if (location == null || !Files.exists(location)) {
            return d;
        }
        List<Path> jars = jarsAt(location);
        if (jars.isEmpty()) {
            return d;
        }
        URL[] urls = jars.stream().map(Decoders::url).toArray(URL[]::new);
        // never closed: the decoders' classes are used for the life of the process
        URLClassLoader loader = new URLClassLoader(urls, Decoders.class.getClassLoader());
        Map<String, OutputDecoder> m = new LinkedHashMap<>(d.byName);
        try {
            for (OutputDecoder found : ServiceLoader.load(OutputDecoder.class, loader)) {
                if (d.byName.containsKey(found.name())) {
                    throw new ConfigException("decoder jar at " + location + " defines '" + found.name()
                            + "', the name of a built-in decoder; give it another name");
                }
                m.put(found.name(), found);
            }
        } catch (java.util.ServiceConfigurationError e) {
            throw new ConfigException("cannot load the decoders in " + location + ": " + e.getMessage());
        }
        return new Decoders(m, jars);
    }

    private static List<Path> jarsAt(Path location) {
        if (Files.isRegularFile(location)) {
            return List.of(location);
        }
        try (Stream<Path> s = Files.list(location)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list decoder jars in " + location + ": " + e.getMessage());
        }
    }

    private static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new ConfigException("bad decoder jar path " + p);
        }
    }

    /** The decoder called {@code name}, or null. */
    public OutputDecoder get(String name) {
        return byName.get(name);
    }

    public List<String> names() {
        List<String> n = new ArrayList<>(byName.keySet());
        n.add(SEMANTIC);
        return n;
    }

    /** The jars decoders were loaded from (empty: built-ins only). */
    public List<Path> jars() {
        return jars;
    }
}
