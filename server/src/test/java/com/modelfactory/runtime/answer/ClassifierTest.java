package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    static final Labels LABELS = new Labels(List.of("a", "b", "c", "d"), 0, "test");

    @Test
    void logitsBecomeProbabilitiesByScoreNegativeOnesIncluded() {
        Tensor logits = Tensor.ofFloats(new long[] {1, 4}, -3f, 2f, -0.5f, 0f);
        List<ClassScore> top = Classifier.top(logits, 0, 0, "auto", LABELS);
        assertEquals(List.of(1, 3, 2, 0), top.stream().map(ClassScore::classId).toList());
        assertEquals(1.0, top.stream().mapToDouble(ClassScore::score).sum(), 1e-5, "softmax");
        List<ClassScore> raw = Classifier.top(logits, 0, 2, "raw", LABELS);
        assertEquals(List.of(1, 3), raw.stream().map(ClassScore::classId).toList());
        assertEquals(2f, raw.get(0).score());
        assertEquals(List.of(3, 0, 2), Classifier.top(Tensor.ofFloats(new long[] {1, 4}, -2f, -7f, -5f, -1f), 0, 3,
                "raw", LABELS).stream().map(ClassScore::classId).toList(), "negative scores keep their order");
    }

    @Test
    void rowsThatAreProbabilitiesStayAsTheyAre() {
        Tensor probs = Tensor.ofFloats(new long[] {2, 4}, 0.1f, 0.2f, 0.3f, 0.4f, 0.7f, 0.1f, 0.1f, 0.1f);
        List<ClassScore> second = Classifier.top(probs, 1, 1, "auto", LABELS);
        assertEquals(0, second.get(0).classId());
        assertEquals(0.7f, second.get(0).score(), 1e-6);
        assertEquals("a", second.get(0).label());
    }
}
