package com.modelfactory.runtime.config;

import java.util.Collection;
import java.util.Locale;

/**
 * The known name nearest to a misspelt one ("colour" for "color", "max_batch" for "max_batch_size"): an edit
 * distance of at most a third of the name (and at least 1), or a known name the unknown one starts or ends
 * with. Used where an unknown key, flag or setting is reported.
 */
public final class DidYouMean {
    private DidYouMean() {
    }

    /** "; did you mean 'x'?" or "" when nothing is near. */
    public static String hint(String unknown, Collection<String> known) {
        String best = nearest(unknown, known);
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    static String nearest(String unknown, Collection<String> known) {
        String u = unknown.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            String c = k.toLowerCase(Locale.ROOT).replace('-', '_');
            int d = distance(u, c);
            if ((c.startsWith(u) || u.startsWith(c)) && Math.min(u.length(), c.length()) >= 4) {
                d = Math.min(d, 1);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(1, u.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
