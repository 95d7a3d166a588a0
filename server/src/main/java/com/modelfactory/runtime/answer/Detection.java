package com.modelfactory.runtime.answer;

/**
 * One detected object: its box in the original image's pixels (x1, y1) - (x2, y2), clipped to the
 * image, its score and class.
 */
public record Detection(float x1, float y1, float x2, float y2, float score, int classId, String label) {
}
