package com.modelfactory.runtime.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LOG_LEVEL / --log-level, read before anything logs (logging/LogSetup applies it), so it cannot wait for the
 * configuration, which is loaded, and may warn, later.
 */
public final class LogLevel {
    public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private LogLevel() {
    }

    /** The level the flag (else the environment, else info) names; null when it names none of {@link #LEVELS}. */
    public static String of(String[] args, Map<String, String> env) {
        String value = env.getOrDefault("LOG_LEVEL", "");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                value = args[i].substring("--log-level=".length());
            }
        }
        String level = value.isBlank() ? "info" : value.trim().toLowerCase(Locale.ROOT);
        return LEVELS.contains(level) ? level : null;
    }
}
