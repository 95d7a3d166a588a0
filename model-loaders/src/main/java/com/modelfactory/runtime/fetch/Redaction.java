package com.modelfactory.runtime.fetch;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * URLs as they may be logged: query values replaced by {@code ***} except for a few known harmless
 * parameters, user info removed. The store's GUID, tokens and signatures are query values, so they never
 * reach a log line, an exception message or GET /model.
 */
public final class Redaction {
    /** Query parameters whose values say which model, not who asks: kept for the operator's benefit. */
    private static final Set<String> VISIBLE = Set.of("modelid", "modelversion", "model_id", "model_version", "version");

    private Redaction() {
    }

    public static String url(URI uri) {
        return url(uri.toString());
    }

    public static String url(String url) {
        String s = url;
        int scheme = s.indexOf("://");
        if (scheme > 0) {
            int hostStart = scheme + 3;
            int pathStart = indexOfAny(s, hostStart, '/', '?', '#');
            int at = s.lastIndexOf('@', pathStart < 0 ? s.length() - 1 : pathStart - 1);
            if (at >= hostStart) {
                s = s.substring(0, hostStart) + "***@" + s.substring(at + 1);
            }
        }
        int q = s.indexOf('?');
        if (q < 0) {
            return s;
        }
        int hash = s.indexOf('#', q);
        String query = hash < 0 ? s.substring(q + 1) : s.substring(q + 1, hash);
        StringBuilder out = new StringBuilder(s.substring(0, q + 1));
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            if (eq < 0) {
                out.append(pair);
            } else {
                String name = pair.substring(0, eq);
                out.append(name).append('=')
                        .append(VISIBLE.contains(name.toLowerCase(Locale.ROOT)) ? pair.substring(eq + 1) : "***");
            }
        }
        return out.toString(); // the fragment is dropped: it is never sent and may hold a token
    }

    private static int indexOfAny(String s, int from, char... chars) {
        int best = -1;
        for (char c : chars) {
            int i = s.indexOf(c, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }
}
