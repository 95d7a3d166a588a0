package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Typed access to the merged raw settings; every error names the setting and how to set it. */
record ConfigValues(Map<String, Object> raw) {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?\\s*");

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

    /** Milliseconds, as the *_ms settings are given. */
    Duration millis(String key, long min) {
        return Duration.ofMillis(longAtLeast(key, min));
    }

    /** A size in bytes: a whole number, or with a 1024-based unit (512k, 64m, 2g, 1.5GiB). */
    long bytes(String key, long min) {
        String s = string(key);
        Matcher m = s == null ? null : SIZE.matcher(s);
        if (m == null || !m.matches()) {
            throw invalid(key, "a size in bytes, e.g. 67108864, 512k, 64m or 2g");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double value = Double.parseDouble(m.group(1)) * (1L << shift);
        if (value > Long.MAX_VALUE || value < min) {
            throw invalid(key, "a size of at least " + min + " bytes");
        }
        return (long) value;
    }

    int port(String key) {
        int p = intAtLeast(key, 0);
        if (p > 65535) {
            throw invalid(key, "a port between 0 and 65535");
        }
        return p;
    }

    ModelFormat format(String key) {
        String s = string(key);
        if (s == null) {
            return null;
        }
        try {
            return ModelFormat.fromId(s);
        } catch (IllegalArgumentException e) {
            throw invalid(key, "onnx, torchscript, keras_h5, tf_savedmodel, tf_frozen_graph or tf_checkpoint");
        }
    }

    Device device(String key) {
        try {
            return Device.parse(string(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, "auto, cpu, cuda or cuda:N");
        }
    }

    <E extends Enum<E>> E oneOf(String key, Class<E> type) {
        String s = string(key);
        E[] values = type.getEnumConstants();
        if (s == null) {
            return values[0];
        }
        for (E e : values) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        throw invalid(key, "one of " + java.util.Arrays.stream(values).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
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

    float floatIn(String key, float min, float max) {
        Float f = optionalFloat(key);
        if (f == null || !(f >= min && f <= max)) {
            throw invalid(key, "a number from " + min + " to " + max);
        }
        return f;
    }

    float[] floats(String key) {
        List<?> items = listOrCommas(key);
        if (items == null) {
            return null;
        }
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

    /** A yaml list as it is, a flag's or the environment's text split at commas; null when not set. */
    private List<?> listOrCommas(String key) {
        Object o = raw.get(key);
        return o == null ? null : o instanceof List<?> l ? l : List.of(o.toString().split(","));
    }

    /** Seconds, ascending and above zero (histogram bucket bounds); null when not set. */
    List<java.time.Duration> ascendingSeconds(String key) {
        List<?> items = listOrCommas(key);
        if (items == null) {
            return null;
        }
        java.time.Duration[] out = new java.time.Duration[items.size()];
        double previous = 0;
        for (int i = 0; i < out.length; i++) {
            double seconds;
            try {
                seconds = Double.parseDouble(items.get(i).toString().trim());
            } catch (NumberFormatException e) {
                seconds = Double.NaN;
            }
            if (!(seconds > previous)) { // NaN too
                throw invalid(key, "seconds above zero in ascending order, e.g. 0.005,0.025,0.1,0.5,2.5");
            }
            out[i] = java.time.Duration.ofNanos(Math.round(seconds * 1e9));
            previous = seconds;
        }
        return List.of(out);
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

    List<TensorSpec> specs(String key) {
        try {
            return TensorSpecs.parse(raw.get(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, "tensor specs ({name, datatype, shape}, or name[:DATATYPE[:1x3x224x224]]): "
                    + e.getMessage());
        }
    }

    ConfigException invalid(String key, String expected) {
        Option o = Option.byKey(key);
        return new ConfigException("invalid value '" + raw.get(key) + "' for " + key + " (" + o.env() + ", "
                + o.flag() + "): expected " + expected, key);
    }

    /**
     * Puts {@code key} back to its default, so that the settings after it can still be checked.
     * @return false when it already had its default (nothing to retry with)
     */
    boolean resetToDefault(String key) {
        Option o = Option.byKey(key);
        Object fallback = o == null ? null : o.defaultValue();
        Object now = raw.get(key);
        if (java.util.Objects.equals(now, fallback)) {
            return false;
        }
        if (fallback == null) {
            raw.remove(key);
        } else {
            raw.put(key, fallback);
        }
        return true;
    }
}
