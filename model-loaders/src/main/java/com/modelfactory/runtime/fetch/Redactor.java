package com.modelfactory.runtime.fetch;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The secrets of one acquisition, the store's GUID and the values of MODEL_STORE_HEADERS, removed from
 * every text the fetch code logs, reports to its listener or puts in an exception: wherever they appear
 * (a URL template may put {GUID} in the path, where {@link Redaction#url} would keep it), raw or
 * URL-encoded. Values shorter than {@link #MIN_LENGTH} are not searched for: they would blank out
 * ordinary words, and none of the fetch code's own texts holds a header value.
 */
final class Redactor {
    static final int MIN_LENGTH = 4;
    static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    static Redactor of(AcquisitionSettings s) {
        Set<String> values = new LinkedHashSet<>();
        if (s.guid() != null) {
            values.add(s.guid());
        }
        for (String v : s.headers().values()) {
            values.add(v.trim());
            for (String word : v.trim().split("\\s+")) {
                values.add(word); // the token of "Bearer <token>" on its own
            }
        }
        List<String> secrets = new ArrayList<>();
        for (String v : values) {
            if (v.length() >= MIN_LENGTH) {
                secrets.add(v);
                secrets.add(StoreUrl.encode(v));
            }
        }
        // Longest first, so a value containing another is replaced whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(new LinkedHashSet<>(secrets)));
    }

    /** A URL fit for logs: query values and user info redacted, and every secret wherever it is. */
    String url(URI uri) {
        return url(uri.toString());
    }

    String url(String url) {
        return text(Redaction.url(url));
    }

    /** {@code text} with every secret replaced by {@code ***}. */
    String text(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            out = out.replace(secret, "***");
        }
        return out;
    }
}
