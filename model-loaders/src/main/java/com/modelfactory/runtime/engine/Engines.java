package com.modelfactory.runtime.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the engine for a detected format from the engines on the class path, and wraps every model an
 * engine loads once in the seam's checks ({@link LoadedModel}).
 */
public final class Engines {
    private static final int MAX_PROVIDER_FAILURES = 32;
    private static final Pattern ENGINE_CLASS = Pattern.compile("com\\.modelfactory\\.runtime\\.[\\w.]+\\.(\\w+Engine)\\b");
    private Engines() {
    }

    /** The engines whose libraries are on the class path. */
    public static List<Engine> available() {
        return scan(new ArrayList<>());
    }

    /**
     * An engine whose libraries are left out (an image built with {@code --engines}: an ONNX model's image
     * carries no TensorFlow) cannot be made; it is skipped and its name added to {@code absent}.
     */
    private static List<Engine> scan(List<String> absent) {
        List<Engine> engines = new ArrayList<>();
        // Linking an engine class whose libraries are missing fails while the loader looks for its
        // constructor, inside hasNext()/next(); the class-path lookup then goes on with the next provider.
        Iterator<Engine> it = ServiceLoader.load(Engine.class).iterator();
        for (int failures = 0; failures < MAX_PROVIDER_FAILURES; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                Engine engine = it.next();
                if (present(engine.libraryClass())) {
                    engines.add(engine);
                } else {
                    absent.add(engine.getClass().getSimpleName());
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
                Matcher engine = ENGINE_CLASS.matcher(String.valueOf(e.getMessage()));
                absent.add(engine.find() ? engine.group(1) : String.valueOf(e.getMessage()));
            }
        }
        return engines;
    }

    /** Whether a class is on the class path (an image built with --engines leaves engines' libraries out). */
    public static boolean present(String className) {
        try {
            Class.forName(className, false, Engines.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static Engine forFormat(ModelFormat format) throws ModelLoadException {
        if (!format.servable()) {
            throw new ModelLoadException("format " + format.id() + " is recognised but cannot be served");
        }
        List<String> absent = new ArrayList<>();
        for (Engine e : scan(absent)) {
            if (e.formats().contains(format)) {
                return e;
            }
        }
        throw new ModelLoadException("no engine in this build serves format " + format.id()
                + (absent.isEmpty() ? "" : "; left out of it (their libraries are not on the class path): "
                + String.join(", ", absent) + " (an image built with deploy/build-image.sh --engines carries only "
                + "the engines named)"));
    }

    /**
     * Loads {@code options.modelPath()} (the file detection chose, or the SavedModel / checkpoint folder)
     * with the engine for the format.
     */
    public static LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        return load(forFormat(format), format, options);
    }

    /** Loads with the given engine (tests pick one), wrapped like {@link #load(ModelFormat, LoadOptions)}. */
    public static LoadedModel load(Engine engine, ModelFormat format, LoadOptions options) throws ModelLoadException {
        return wrap(engine, engine.load(format, options));
    }

    /**
     * The seam's wrapper around a model {@code engine} loaded (returned as it is when it is one already):
     * inputs checked, outputs in signature order, {@code engine.name()} reported.
     *
     * @throws IllegalStateException when the model reports another engine name than its engine: one name
     *                               per engine, the one that computes
     */
    public static LoadedModel wrap(Engine engine, LoadedModel model) {
        if (model instanceof CheckedModel) {
            return model;
        }
        if (!engine.name().equals(model.engine())) {
            model.close();
            throw new IllegalStateException("engine '" + engine.name() + "' loaded a model that reports engine '"
                    + model.engine() + "'");
        }
        return new CheckedModel(engine.name(), model);
    }
}
