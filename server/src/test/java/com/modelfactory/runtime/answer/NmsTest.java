package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/** NMS against a brute-force reference written from the definition (torchvision's greedy NMS). */
class NmsTest {
    record Box(float x1, float y1, float x2, float y2, float score, int cls) {
    }

    @Provide
    Arbitrary<List<Box>> boxes() {
        Arbitrary<Float> coord = Arbitraries.floats().between(0, 100).ofScale(1);
        Arbitrary<Float> size = Arbitraries.floats().between(1, 40).ofScale(1);
        // coarse scores so ties happen and order by position is exercised
        Arbitrary<Float> score = Arbitraries.integers().between(1, 20).map(i -> i / 20f);
        Arbitrary<Box> box = Combinators.combine(coord, coord, size, size, score, Arbitraries.integers().between(0, 2))
                .as((x, y, w, h, s, c) -> new Box(x, y, x + w, y + h, s, c));
        return box.list().ofMaxSize(60);
    }

    @Property(tries = 500)
    void keepsWhatTheBruteForceReferenceKeeps(@ForAll("boxes") List<Box> boxes,
                                              @ForAll @FloatRange(min = 0.1f, max = 0.9f) float iou,
                                              @ForAll boolean agnostic, @ForAll @IntRange(min = 1, max = 80) int maxDet) {
        Candidates c = candidates(boxes);
        Nms nms = new Nms();
        int n = nms.run(c, iou, agnostic, maxDet, true);
        List<Integer> got = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            got.add(nms.out()[k]);
        }
        assertEquals(reference(boxes, iou, agnostic, maxDet), got);
    }

    static Candidates candidates(List<Box> boxes) {
        Candidates c = new Candidates();
        c.reset(100, 100);
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            c.add(b.x1(), b.y1(), b.x2(), b.y2(), b.score(), b.cls(), i);
        }
        return c;
    }

    static List<Integer> reference(List<Box> boxes, float iou, boolean agnostic, int maxDet) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -boxes.get(i).score()).thenComparingInt(i -> i));
        List<Integer> kept = new ArrayList<>();
        for (int i : order) {
            boolean suppressed = false;
            for (int k : kept) {
                Box a = boxes.get(i);
                Box b = boxes.get(k);
                if ((agnostic || a.cls() == b.cls()) && iou(a, b) > iou) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed && kept.size() < maxDet) {
                kept.add(i);
            }
        }
        return kept;
    }

    static float iou(Box a, Box b) {
        float w = Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1());
        float h = Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1());
        if (w <= 0 || h <= 0) {
            return 0;
        }
        float inter = w * h;
        return inter / ((a.x2() - a.x1()) * (a.y2() - a.y1()) + (b.x2() - b.x1()) * (b.y2() - b.y1()) - inter);
    }

    @Property(tries = 200)
    void withoutSuppressionEveryBoxIsKeptByScoreUpToMaxDet(@ForAll("boxes") List<Box> boxes) {
        Candidates c = candidates(boxes);
        Nms nms = new Nms();
        int n = nms.run(c, 0.5f, false, 10, false);
        assertEquals(Math.min(10, boxes.size()), n);
        for (int k = 1; k < n; k++) {
            float prev = boxes.get(nms.out()[k - 1]).score();
            float cur = boxes.get(nms.out()[k]).score();
            org.junit.jupiter.api.Assertions.assertTrue(prev >= cur, "by score, highest first");
        }
    }
}
