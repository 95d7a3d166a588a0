package com.modelfactory.runtime.engine;

/**
 * One line out of the long texts native engines and parsers put in their exceptions, for error
 * messages a client or an operator reads: the seam's one copy of that glue.
 */
public final class Messages {
    private Messages() {
    }

    /** The first non-blank line of {@code s}, stripped; "" for null or blank text. */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        for (String line : s.split("\n", -1)) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return "";
    }

    /** The first line of the exception's message, or its class name when it has no message. */
    public static String firstLine(Throwable e) {
        String line = firstLine(e.getMessage());
        return line.isEmpty() ? e.getClass().getSimpleName() : line;
    }

    /** The last non-blank line of {@code s}, stripped: where TorchScript tracebacks put the cause. */
    public static String lastLine(String s) {
        if (s == null) {
            return "";
        }
        String[] lines = s.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "";
    }

    /** {@code s} cut to at most {@code max} characters, marked with "..." when cut. */
    public static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
