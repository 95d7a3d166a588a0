package com.modelfactory.runtime.image;

import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;

/**
 * Collects an ImageIO reader's warnings. The JDK JPEG reader reports a truncated or corrupt scan only
 * as a warning ("Premature end of JPEG file", "Corrupt JPEG data: premature end of data segment",
 * "Truncated File - Missing EOI marker") and fills what is missing with grey; any such warning makes
 * the image invalid. Two kinds are benign and kept out: a metadata part the reader says it "ignored"
 * (an invalid ICC profile, JFIF markers in a thumbnail) and "extraneous bytes before marker", junk
 * between segments that many cameras write while the scan itself is complete.
 */
final class ReadWarnings implements IIOReadWarningListener {
    private String first;

    static ReadWarnings listenTo(ImageReader reader) {
        ReadWarnings w = new ReadWarnings();
        reader.addIIOReadWarningListener(w);
        return w;
    }

    @Override
    public void warningOccurred(ImageReader source, String warning) {
        String w = warning == null ? "" : warning;
        if (first == null && !w.contains("ignored") && !w.contains("extraneous bytes")) {
            first = w;
        }
    }

    /** The first warning that invalidates the image, or null. */
    String invalidating() {
        return first;
    }
}
