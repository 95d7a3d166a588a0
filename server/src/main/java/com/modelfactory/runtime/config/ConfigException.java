package com.modelfactory.runtime.config;

/** A configuration value is missing or invalid: start-up stops with this message. */
public class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String message) {
        this(message, null);
    }

    /** @param key the setting whose value is invalid, when one is to blame (then the others can still be checked) */
    public ConfigException(String message, String key) {
        super(message);
        this.key = key;
    }

    /** The invalid setting's key, or null. */
    public String key() {
        return key;
    }
}
