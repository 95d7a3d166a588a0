package com.modelfactory.runtime.answer;

/**
 * COCO's run-length encoding of a binary mask, as pycocotools writes it: runs over the mask in
 * column-major order (down each column, then the next), starting with a run of zeros (possibly empty),
 * compressed into a string by {@code rleToString}: each count (from the fourth on, less the count two
 * before) in 5-bit groups, low first, with a continuation bit, offset by 48.
 */
public final class CocoRle {
    private CocoRle() {
    }

    /** The compressed counts of a row-major mask ({@code mask[y * width + x] != 0} is set). */
    public static String encode(byte[] mask, int height, int width) {
        return compress(counts(mask, height, width));
    }

    /** The uncompressed counts: alternating runs of 0 and 1, column-major, the first of zeros. */
    public static long[] counts(byte[] mask, int height, int width) {
        long[] runs = new long[16];
        int n = 0;
        boolean current = false;
        long run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean set = mask[y * width + x] != 0;
                if (set != current) {
                    if (n == runs.length) {
                        runs = java.util.Arrays.copyOf(runs, n * 2);
                    }
                    runs[n++] = run;
                    run = 0;
                    current = set;
                }
                run++;
            }
        }
        if (n == runs.length) {
            runs = java.util.Arrays.copyOf(runs, n + 1);
        }
        runs[n++] = run;
        return java.util.Arrays.copyOf(runs, n);
    }

    /**
     * The counts of an image-sized mask that is set only inside a region (an instance's box): the columns
     * and rows outside it are runs of zeros, so no image-sized array is made.
     *
     * @param region row-major bits of the region, {@code rw} x {@code rh}, at ({@code rx}, {@code ry})
     */
    public static long[] countsInRegion(byte[] region, int rx, int ry, int rw, int rh, int height, int width) {
        Runs runs = new Runs();
        runs.add(false, (long) rx * height);
        for (int x = 0; x < rw; x++) {
            runs.add(false, ry);
            for (int y = 0; y < rh; y++) {
                runs.add(region[y * rw + x] != 0, 1);
            }
            runs.add(false, height - ry - rh);
        }
        runs.add(false, (long) (width - rx - rw) * height);
        return runs.counts();
    }

    /** Alternating runs built from (value, length) pieces, merging neighbours of one value. */
    private static final class Runs {
        private long[] runs = new long[16];
        private int n = 1; // runs[0]: the leading zeros
        private boolean current;

        void add(boolean value, long length) {
            if (length <= 0) {
                return;
            }
            if (value != current) {
                if (n == runs.length) {
                    runs = java.util.Arrays.copyOf(runs, n * 2);
                }
                n++;
                current = value;
            }
            runs[n - 1] += length;
        }

        long[] counts() {
            return java.util.Arrays.copyOf(runs, n);
        }
    }

    /** pycocotools' rleToString. */
    public static String compress(long[] counts) {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * x, y, width, height as pycocotools' rleToBbox computes them from the counts (a run of ones that
     * crosses into the next column widens the box to the whole height, as there).
     */
    public static int[] bbox(long[] counts, int height) {
        int m = (counts.length / 2) * 2;
        if (m == 0) {
            return new int[4];
        }
        long xs = Long.MAX_VALUE;
        long ys = Long.MAX_VALUE;
        long xe = 0;
        long ye = 0;
        long cc = 0;
        long xp = 0;
        for (int j = 0; j < m; j++) {
            cc += counts[j];
            long t = cc - j % 2;
            long y = t % height;
            long x = (t - y) / height;
            if (j % 2 == 0) {
                xp = x;
            } else if (xp < x) {
                ys = 0;
                ye = height - 1;
            }
            xs = Math.min(xs, x);
            xe = Math.max(xe, x);
            ys = Math.min(ys, y);
            ye = Math.max(ye, y);
        }
        return new int[] {(int) xs, (int) ys, (int) (xe - xs + 1), (int) (ye - ys + 1)};
    }

    /** Set pixels of a mask given by its counts. */
    public static long area(long[] counts) {
        long a = 0;
        for (int i = 1; i < counts.length; i += 2) {
            a += counts[i];
        }
        return a;
    }

    /** One segment of a row-major mask. */
    static Segment segment(byte[] mask, int height, int width, int classId, String label, Float score) {
        return segment(counts(mask, height, width), height, width, classId, label, score);
    }

    /** One segment of a mask given by its counts. */
    static Segment segment(long[] counts, int height, int width, int classId, String label, Float score) {
        return new Segment(classId, label, score, area(counts), bbox(counts, height), height, width,
                compress(counts));
    }
}
