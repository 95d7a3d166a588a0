package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.Messages;

/** Turns TF's long native error texts into one readable line for start-up messages. */
final class TfErrors {
    private TfErrors() {
    }

    static String message(Throwable e) {
        return Messages.shorten(Messages.firstLine(e), 600);
    }
}
