package com.modelfactory.runtime.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which numbered versions of a repository model are served, as Triton's version_policy and TF Serving's
 * model_version_policy define it: the newest N ({@code latest:N}, default {@code latest:1}), every one
 * ({@code all}), or the ones named ({@code specific:1,3}).
 */
public record VersionPolicy(Kind kind, int latest, Set<Long> specific) {
    public enum Kind { LATEST, ALL, SPECIFIC }

    public static final VersionPolicy LATEST_ONE = new VersionPolicy(Kind.LATEST, 1, Set.of());

    /** Parses {@code latest:N}, {@code all} or {@code specific:V,V...}; throws ConfigException otherwise. */
    public static VersionPolicy parse(String text) {
        String s = text == null ? "" : text.trim();
        try {
            if (s.isEmpty()) {
                return LATEST_ONE;
            }
            if (s.equals("all")) {
                return new VersionPolicy(Kind.ALL, 0, Set.of());
            }
            if (s.startsWith("latest:")) {
                int n = Integer.parseInt(s.substring(7).trim());
                if (n >= 1) {
                    return new VersionPolicy(Kind.LATEST, n, Set.of());
                }
            } else if (s.startsWith("specific:")) {
                Set<Long> versions = new TreeSet<>();
                for (String v : s.substring(9).split(",")) {
                    versions.add(Long.parseLong(v.trim()));
                }
                return new VersionPolicy(Kind.SPECIFIC, 0, Set.copyOf(versions));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("version_policy '" + text + "' is not latest:N (N >= 1), all, or specific:V,V...");
    }

    /** The versions of {@code available} to serve, newest first. */
    public List<Long> select(List<Long> available) {
        List<Long> newest = new ArrayList<>(available);
        newest.sort(Comparator.reverseOrder());
        return switch (kind) {
            case ALL -> newest;
            case LATEST -> newest.subList(0, Math.min(latest, newest.size()));
            case SPECIFIC -> newest.stream().filter(specific::contains).toList();
        };
    }
}
