package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;

/**
 * The framing of the binary tensor data extension (Triton's, also KServe's): a body is N bytes of JSON
 * (N from the Inference-Header-Content-Length header) and then the binary inputs' bytes, one section per
 * input in the order of "inputs", no separators or padding.
 */
final class BinaryTensors {
    static final String HEADER = "Inference-Header-Content-Length";

    private BinaryTensors() {
    }

    /**
     * The JSON length the header states for a body of {@code bodyLength} (inflated) bytes: the whole body
     * when absent, else a number from 0 (a raw binary request, no JSON at all) to the body length.
     */
    static int jsonLength(String header, int bodyLength) {
        if (header == null) {
            return bodyLength;
        }
        long n;
        try {
            n = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > bodyLength) {
            throw ServingException.badInput(HEADER + " is '" + header + "'; it must be a number of bytes from 0 to the"
                    + " body's (uncompressed) length " + bodyLength);
        }
        return (int) n;
    }

    /** The binary sections after the JSON, handed out in order. */
    static final class Tail {
        private final int end;
        private int next;

        Tail(byte[] body, int jsonLength) {
            this.next = jsonLength;
            this.end = body.length;
        }

        /** Claims the next {@code size} bytes for {@code input}; @return where they start in the body */
        int take(String input, long size) {
            if (size > end - next) {
                throw ServingException.badInput("unexpected size for input '" + input + "', expecting " + size
                        + " additional bytes but " + (end - next) + " remain in the body"
                        + hint());
            }
            int at = next;
            next += (int) size;
            return at;
        }

        /** Every byte after the JSON must belong to an input. */
        void expectConsumed() {
            if (next != end) {
                throw ServingException.badInput("unexpected additional input data: " + (end - next)
                        + " bytes after the last binary input (binary_data_size values and the body disagree)");
            }
        }

        private String hint() {
            return next == end ? " (was the " + HEADER + " header sent?)" : "";
        }
    }
}
