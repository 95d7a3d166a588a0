package com.modelfactory.runtime.answer;

import io.vertx.core.json.JsonArray;

/** Decoding COCO RLE in tests (pycocotools' rleFrString), to compare masks pixel by pixel. */
final class Rle {
    private Rle() {
    }

    /** The column-major pixels of a compressed RLE string. */
    static boolean[] decode(String s, int pixels) {
        java.util.List<Long> counts = new java.util.ArrayList<>();
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                long c = s.charAt(p) - 48;
                x |= (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (counts.size() > 2) {
                x += counts.get(counts.size() - 2);
            }
            counts.add(x);
        }
        return fill(counts, pixels);
    }

    static boolean[] decodeCounts(JsonArray counts, int pixels) {
        java.util.List<Long> c = new java.util.ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            c.add(counts.getLong(i));
        }
        return fill(c, pixels);
    }

    private static boolean[] fill(java.util.List<Long> counts, int pixels) {
        boolean[] out = new boolean[pixels];
        int p = 0;
        boolean v = false;
        for (long n : counts) {
            for (long i = 0; i < n && p < pixels; i++) {
                out[p++] = v;
            }
            v = !v;
        }
        return out;
    }
}
