package com.modelfactory.runtime.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The tokens of AUTH_TOKENS_FILE: a YAML list of entries {@code - token: <secret>} or {@code - sha256: <hex
 * of the token>} (so the file need hold no secret), each with {@code groups: [inference, metadata,
 * metrics]}. Only SHA-256 digests are kept in memory; a presented token is hashed and compared with every
 * entry in constant time, so neither the answer nor its timing tells how much of a token was right.
 */
public final class AccessTokens {
    /** One entry: the token's digest and the groups it opens. */
    record Entry(byte[] sha256, Set<EndpointGroup> groups) {
    }

    /** What a presented token gets for a group. */
    public enum Verdict { ALLOWED, UNAUTHENTICATED, FORBIDDEN }

    private final List<Entry> entries;

    private AccessTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads the file; throws IllegalArgumentException naming the entry and what is wrong. */
    public static AccessTokens read(Path file) throws IOException {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage());
        }
        if (!(doc instanceof List<?> list)) {
            throw new IllegalArgumentException(file + " must be a YAML list of entries with token (or sha256) and groups");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            entries.add(entry(file, i + 1, list.get(i)));
        }
        return new AccessTokens(entries);
    }

    private static Entry entry(Path file, int n, Object o) {
        String where = file + ", entry " + n;
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": not a mapping with token (or sha256) and groups");
        }
        Object token = m.get("token");
        Object sha = m.get("sha256");
        byte[] digest;
        if (token != null && sha == null && !token.toString().isEmpty()) {
            digest = sha256(token.toString());
        } else if (sha != null && token == null && sha.toString().matches("[0-9a-fA-F]{64}")) {
            digest = HexFormat.of().parseHex(sha.toString());
        } else {
            throw new IllegalArgumentException(where + ": needs exactly one of token (non-empty) or sha256 (64 hex digits)");
        }
        if (!(m.get("groups") instanceof List<?> groups) || groups.isEmpty()) {
            throw new IllegalArgumentException(where + ": groups must be a list of inference, metadata, metrics");
        }
        Set<EndpointGroup> open = EnumSet.noneOf(EndpointGroup.class);
        for (Object g : groups) {
            try {
                open.add(EndpointGroup.valueOf(g.toString().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": unknown group '" + g + "' (inference, metadata, metrics)");
            }
        }
        return new Entry(digest, open);
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What {@code token} (null when none was presented) may do in {@code group}. */
    public Verdict check(String token, EndpointGroup group) {
        if (group == EndpointGroup.HEALTH) {
            return Verdict.ALLOWED;
        }
        if (token == null || token.isEmpty()) {
            return Verdict.UNAUTHENTICATED;
        }
        byte[] presented = sha256(token);
        Entry match = null;
        for (Entry e : entries) { // every entry compared, in constant time: no early exit on a match
            if (MessageDigest.isEqual(presented, e.sha256()) && match == null) {
                match = e;
            }
        }
        if (match == null) {
            return Verdict.UNAUTHENTICATED;
        }
        return match.groups().contains(group) ? Verdict.ALLOWED : Verdict.FORBIDDEN;
    }
}
