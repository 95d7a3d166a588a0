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
        return early(args, env, "--log-level", "LOG_LEVEL", "info", LEVELS);
    }

    /**
     * A setting read before the configuration (logging's): the flag (as {@code --flag v} or {@code --flag=v}), else
     * the environment variable, else {@code fallback}, lower-cased; null when it is none of {@code allowed}.
     */
    public static String early(String[] args, Map<String, String> env, String flag, String envName, String fallback,
                               List<String> allowed) {
        String value = env.getOrDefault(envName, "");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith(flag + "=")) {
                value = args[i].substring(flag.length() + 1);
            }
        }
        String chosen = value.isBlank() ? fallback : value.trim().toLowerCase(Locale.ROOT);
        return allowed.contains(chosen) ? chosen : null;
    }
}
