package com.modelfactory.runtime.answer;

import java.util.List;

/**
 * What one image holds, as the model's task answers it: the classes of a classifier, the detections of
 * a detector (by score, highest first), the segments of a segmenter (instance segments go with the
 * detection at the same position). Front ends only render this.
 *
 * @param width  the original image's upright width (the network input's for a request of tensors)
 * @param height its height
 */
public record ImageAnswer(Task task, int width, int height, List<ClassScore> classes, List<Detection> detections,
                          List<Segment> segments) {
}
