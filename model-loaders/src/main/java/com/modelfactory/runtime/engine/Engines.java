package com.modelfactory.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Picks the engine for a detected format from the engines on the class path. */
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

    public static LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        return forFormat(format).load(format, options);
    }
}
