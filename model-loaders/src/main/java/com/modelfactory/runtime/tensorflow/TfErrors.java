package com.modelfactory.runtime.tensorflow;

/** Turns TF's long native error texts into one readable line for start-up messages. */
final class TfErrors {
    private TfErrors() {
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        String first = nl < 0 ? m : m.substring(0, nl);
        return first.length() > 600 ? first.substring(0, 600) + "..." : first;
    }
}
