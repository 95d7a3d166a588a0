package com.modelfactory.runtime.answer;

import java.util.Arrays;

/**
 * The boxes one image's outputs propose, in network-input pixels, before NMS: parallel primitive
 * arrays that grow and are reused (one instance per thread), so decoding and NMS make no garbage per box.
 * A decoder adds only candidates at or above the confidence threshold.
 */
public final class Candidates {
    float[] x1 = new float[64];
    float[] y1 = new float[64];
    float[] x2 = new float[64];
    float[] y2 = new float[64];
    float[] score = new float[64];
    int[] classId = new int[64];
    int[] anchor = new int[64];
    int size;
    private int inputWidth;
    private int inputHeight;
    private long dropped;

    /** Starts an image whose network input is {@code inputWidth} x {@code inputHeight}. */
    void reset(int inputWidth, int inputHeight) {
        this.size = 0;
        this.inputWidth = inputWidth;
        this.inputHeight = inputHeight;
        this.dropped = 0;
    }

    /** Width of the network input, for decoders whose boxes are normalised. */
    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    /**
     * Adds a box by corners. NaN or infinite values, or a box of no area, are dropped and counted
     * ({@link #dropped()}): a model's garbage never becomes an answer.
     *
     * @param anchor the row of the output it came from (instance masks read their coefficients there)
     */
    public void add(float x1, float y1, float x2, float y2, float score, int classId, int anchor) {
        if (!(Float.isFinite(x1) && Float.isFinite(y1) && Float.isFinite(x2) && Float.isFinite(y2)
                && Float.isFinite(score)) || !(x2 > x1 && y2 > y1)) {
            dropped++;
            return;
        }
        if (size == score().length) {
            grow();
        }
        this.x1[size] = x1;
        this.y1[size] = y1;
        this.x2[size] = x2;
        this.y2[size] = y2;
        this.score[size] = score;
        this.classId[size] = classId;
        this.anchor[size] = anchor;
        size++;
    }

    /** Adds a box given by centre and size. */
    public void addCentred(float cx, float cy, float w, float h, float score, int classId, int anchor) {
        add(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, classId, anchor);
    }

    /** Counts a candidate refused before it was added (a NaN score), as {@link #add} counts its own. */
    public void refuse() {
        dropped++;
    }

    public int size() {
        return size;
    }

    /** Boxes refused as NaN, infinite or degenerate since {@link #reset}. */
    public long dropped() {
        return dropped;
    }

    private float[] score() {
        return score;
    }

    private void grow() {
        int n = size * 2;
        x1 = Arrays.copyOf(x1, n);
        y1 = Arrays.copyOf(y1, n);
        x2 = Arrays.copyOf(x2, n);
        y2 = Arrays.copyOf(y2, n);
        score = Arrays.copyOf(score, n);
        classId = Arrays.copyOf(classId, n);
        anchor = Arrays.copyOf(anchor, n);
    }
}
