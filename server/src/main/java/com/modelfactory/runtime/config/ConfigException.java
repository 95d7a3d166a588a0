package com.modelfactory.runtime.config;

/** A configuration value is missing or invalid: start-up stops with this message. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
