package com.modelfactory.runtime.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells image files from other files by their first bytes (the formats the decoder reads: JPEG, PNG,
 * GIF, BMP, TIFF, WebP), so a dataset folder may hold labels, manifests or extension-less images.
 */
final class ImageFiles {
    private static final int HEADER = 12;

    private ImageFiles() {
    }

    static boolean looksLikeImage(Path file) throws IOException {
        byte[] h = new byte[HEADER];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(h, 0, HEADER);
        }
        return isImageHeader(h, n);
    }

    static boolean isImageHeader(byte[] h, int n) {
        return starts(h, n, 0xFF, 0xD8, 0xFF)                                  // JPEG
                || starts(h, n, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)  // PNG
                || starts(h, n, 'G', 'I', 'F', '8')                            // GIF87a / GIF89a
                || starts(h, n, 'B', 'M')                                      // BMP
                || starts(h, n, 'I', 'I', 42, 0) || starts(h, n, 'M', 'M', 0, 42) // TIFF
                || (starts(h, n, 'R', 'I', 'F', 'F') && n >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
                        && h[11] == 'P');                                       // WebP
    }

    private static boolean starts(byte[] h, int n, int... magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
