package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void firstLineSkipsBlankLinesAndStrips() {
        assertEquals("Invalid argument: shape", Messages.firstLine("\n  Invalid argument: shape  \n\tat frame 1\n"));
        assertEquals("", Messages.firstLine((String) null));
        assertEquals("", Messages.firstLine(" \n "));
    }

    @Test
    void aThrowableWithoutMessageIsNamedByItsClass() {
        assertEquals("IllegalStateException", Messages.firstLine(new IllegalStateException()));
        assertEquals("boom", Messages.firstLine(new RuntimeException("boom\nstack")));
    }

    @Test
    void lastLineIsTheCauseOfATorchScriptTraceback() {
        String traceback = "The following operation failed in the TorchScript interpreter.\n"
                + "Traceback of TorchScript (most recent call last):\n  File \"code/__torch__.py\", line 8\n"
                + "RuntimeError: size mismatch, got 3, 3x4\n\n";
        assertEquals("RuntimeError: size mismatch, got 3, 3x4", Messages.lastLine(traceback));
        assertEquals("", Messages.lastLine(null));
    }

    @Test
    void shortenMarksTheCut() {
        assertEquals("abc...", Messages.shorten("abcdef", 3));
        assertEquals("abc", Messages.shorten("abc", 3));
    }
}
