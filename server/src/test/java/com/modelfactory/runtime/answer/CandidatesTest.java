package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CandidatesTest {
    @Test
    void nanInfiniteAndDegenerateBoxesAreDroppedAndCounted() {
        Candidates c = new Candidates();
        c.reset(10, 10);
        c.add(Float.NaN, 0, 1, 1, 0.9f, 0, 0);
        c.add(0, 0, Float.POSITIVE_INFINITY, 1, 0.9f, 0, 1);
        c.add(0, 0, 1, 1, Float.NaN, 0, 2);
        c.add(5, 5, 5, 9, 0.9f, 0, 3);   // no width
        c.add(5, 5, 4, 9, 0.9f, 0, 4);   // inverted
        c.add(1, 1, 2, 2, 0.9f, 0, 5);
        assertEquals(1, c.size());
        assertEquals(5, c.dropped());
        for (int i = 0; i < 200; i++) {
            c.add(i, i, i + 1, i + 1, 0.5f, 1, i);
        }
        assertEquals(201, c.size(), "grows past its first capacity");
        c.reset(10, 10);
        assertEquals(0, c.size());
        assertEquals(0, c.dropped());
    }
}
