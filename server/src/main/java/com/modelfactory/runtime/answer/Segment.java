package com.modelfactory.runtime.answer;

/**
 * One mask of a segmentation answer, in the original image's pixels: a class's pixels (semantic) or
 * one instance's. {@code counts} is COCO's compressed RLE (column-major) of a {@code height} x
 * {@code width} mask.
 *
 * @param score null for semantic segmentation (a class has no score)
 * @param bbox  x, y, width, height of the mask's pixels, as pycocotools' toBbox gives it
 */
public record Segment(int classId, String label, Float score, long area, int[] bbox, int height, int width,
                      String counts) {
}
