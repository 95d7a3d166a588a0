package com.modelfactory.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Picks the engine for a detected format from the engines on the class path, and wraps every model an
 * engine loads once in the seam's checks ({@link LoadedModel}).
 */
public final class Engines {
    private Engines() {
    }

    public static List<Engine> available() {
        List<Engine> engines = new ArrayList<>();
        ServiceLoader.load(Engine.class).forEach(engines::add);
        return engines;
    }

    public static Engine forFormat(ModelFormat format) throws ModelLoadException {
        if (!format.servable()) {
            throw new ModelLoadException("format " + format.id() + " is recognised but cannot be served");
        }
        for (Engine e : available()) {
            if (e.formats().contains(format)) {
                return e;
            }
        }
        throw new ModelLoadException("no engine on the class path serves format " + format.id());
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
