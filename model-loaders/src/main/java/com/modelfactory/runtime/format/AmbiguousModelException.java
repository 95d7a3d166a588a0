package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;

/** Several models where one was expected: the message lists them and names the setting that picks one. */
public class AmbiguousModelException extends ModelLoadException {
    private final List<String> candidates;

    public AmbiguousModelException(String message, List<String> candidates) {
        super(message);
        this.candidates = List.copyOf(candidates);
    }

    public List<String> candidates() {
        return candidates;
    }
}
