package com.modelfactory.runtime.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorNamesTest {

    @Test
    void anOpNameIsItsFirstOutput() {
        assertEquals("logits:0", TensorNames.withIndex("logits"));
        assertEquals("split:1", TensorNames.withIndex("split:1"));
        assertEquals("scope/x:0", TensorNames.withIndex("scope/x:0"));
        assertEquals("odd::0", TensorNames.withIndex("odd:"));
        assertTrue(TensorNames.same("logits", "logits:0"));
        assertFalse(TensorNames.same("split", "split:1"));
    }
}
