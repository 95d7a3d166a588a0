package com.modelfactory.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResetBudgetTest {
    @Test
    void anAttackThatResetsEveryStreamGetsTheBaseAllowance() {
        assertFalse(ResetBudget.overBudget(ResetBudget.BASE, ResetBudget.BASE));
        assertTrue(ResetBudget.overBudget(ResetBudget.BASE + 1, ResetBudget.BASE + 1));
    }

    @Test
    void callsThatEndNormallyEarnResets() {
        // 4 of every 5 calls cancelled, 1,000 rounds: far past the base, within what the answers earn
        assertFalse(ResetBudget.overBudget(4_000, 5_000));
        // one answer among a thousand resets does not make an attack a client
        assertTrue(ResetBudget.overBudget(1_000, 1_001));
        assertFalse(ResetBudget.overBudget(ResetBudget.BASE + ResetBudget.PER_ANSWER * 7,
                ResetBudget.BASE + ResetBudget.PER_ANSWER * 7 + 7));
    }
}
