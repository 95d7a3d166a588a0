package com.modelfactory.runtime.engine;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One engine's names for the seam's datatypes, in one table read both ways: what a signature reports
 * for an engine type, and what the engine allocates for a request tensor. A datatype the table lacks is
 * refused with a message naming the input and what the engine takes, instead of crashing the engine.
 *
 * @param <T> the engine's own type token (an enum constant, a class)
 */
public final class TypeTable<T> {
    private final String engine;
    private final Map<DataType, T> toEngine;
    private final Map<T, DataType> fromEngine;

    private TypeTable(String engine, Map<DataType, T> toEngine, Map<T, DataType> fromEngine) {
        this.engine = engine;
        this.toEngine = toEngine;
        this.fromEngine = fromEngine;
    }

    /** @param engine the engine as messages name it ("ONNX Runtime", "PyTorch", "TensorFlow Java") */
    public static <T> Builder<T> builder(String engine) {
        return new Builder<>(engine);
    }

    /** The seam datatype an engine type reads as; empty when the seam has none. */
    public Optional<DataType> dataType(T engineType) {
        return Optional.ofNullable(fromEngine.get(engineType));
    }

    /** The engine type a seam datatype is passed as, or IllegalArgumentException naming what the engine takes. */
    public T engineType(DataType dataType) {
        T t = toEngine.get(dataType);
        if (t == null) {
            throw new IllegalArgumentException("datatype " + dataType + " cannot be passed to " + engine
                    + "; it takes " + toEngine.keySet());
        }
        return t;
    }

    /** The engine type for request input {@code input}, or a client error naming the input. */
    public T forInput(String input, DataType dataType) {
        T t = toEngine.get(dataType);
        if (t == null) {
            throw new InvalidInputException("input '" + input + "' is " + dataType + ", which " + engine
                    + " cannot take; it takes " + toEngine.keySet());
        }
        return t;
    }

    /** The seam datatypes this engine takes. */
    public Set<DataType> dataTypes() {
        return Collections.unmodifiableSet(toEngine.keySet());
    }

    /** Rows of the table; build() freezes it. */
    public static final class Builder<T> {
        private final String engine;
        private final Map<DataType, T> toEngine = new EnumMap<>(DataType.class);
        private final Map<T, DataType> fromEngine = new HashMap<>();

        private Builder(String engine) {
            this.engine = engine;
        }

        /** A type the engine both takes and returns. */
        public Builder<T> map(DataType dataType, T engineType) {
            toEngine.put(dataType, engineType);
            fromEngine.put(engineType, dataType);
            return this;
        }

        /** An engine type that reads as {@code dataType} but is never what the engine is given. */
        public Builder<T> reads(T engineType, DataType dataType) {
            fromEngine.put(engineType, dataType);
            return this;
        }

        public TypeTable<T> build() {
            return new TypeTable<>(engine, Collections.unmodifiableMap(new EnumMap<>(toEngine)),
                    Map.copyOf(fromEngine));
        }
    }
}
