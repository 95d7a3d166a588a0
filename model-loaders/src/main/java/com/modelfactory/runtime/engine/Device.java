package com.modelfactory.runtime.engine;

import java.util.Locale;

/**
 * Where a model should run, as asked for by DEVICE=auto|cpu|cuda|cuda:N. {@code AUTO} takes a GPU when
 * one is usable and falls back to the CPU; an explicit CUDA request that cannot be honoured is an error.
 */
public record Device(Kind kind, int index) {

    public enum Kind { AUTO, CPU, CUDA }

    public static final Device AUTO = new Device(Kind.AUTO, 0);
    public static final Device CPU = new Device(Kind.CPU, 0);

    public static Device parse(String text) {
        String s = text == null ? "auto" : text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("auto")) {
            return AUTO;
        }
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda") || s.equals("gpu")) {
            return new Device(Kind.CUDA, 0);
        }
        if (s.startsWith("cuda:") || s.startsWith("gpu:")) {
            try {
                int idx = Integer.parseInt(s.substring(s.indexOf(':') + 1));
                if (idx >= 0) {
                    return new Device(Kind.CUDA, idx);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("invalid device '" + text + "'; expected auto, cpu, cuda or cuda:N");
    }

    public boolean wantsCuda() {
        return kind != Kind.CPU;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
