package com.modelfactory.runtime.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import org.slf4j.LoggerFactory;

/**
 * The part of libjpeg-turbo's TurboJPEG 2 API that decoding needs, bound by JNA direct mapping to the
 * system's {@code libturbojpeg.so.0} (Debian and Ubuntu: package libturbojpeg0, in the image). Why not
 * ImageIO: the JDK's JPEG reader is libjpeg 6b without SIMD and cannot scale in the DCT domain; a
 * 640x480 photo took 6.4 ms of CPU there, more than MobileNetV2 itself. The library is optional: when it
 * does not load, {@link #available()} is false and JPEGs go to ImageIO as before. It is loaded with this
 * class, at the first JPEG (~85 ms, kept out of start-up: a PNG-only service never pays it), which logs
 * the decoder chosen.
 */
final class TurboJpeg {
    static final int PF_RGB = 0;
    static final int PF_GRAY = 6;
    static final int CS_RGB = 0;
    static final int CS_YCBCR = 1;
    static final int CS_GRAY = 2;
    /** Fail on what libjpeg only warns about (a truncated or corrupt scan comes out grey otherwise). */
    static final int FLAG_STOPONWARNING = 8192;
    /** Refuse a progressive file of more than 500 scans (a scan bomb decodes for minutes). */
    static final int FLAG_LIMITSCANS = 32768;

    private static final String[] NAMES = {"libturbojpeg.so.0", "turbojpeg"};
    /** Why the library is not in use, or null when it is. */
    private static final String UNAVAILABLE = register();

    static {
        LoggerFactory.getLogger(TurboJpeg.class).info("JPEG images: decoded by {}", describe());
    }

    private TurboJpeg() {
    }

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** One line for the start-up log: which JPEG decoder serves. */
    static String describe() {
        return available() ? "libjpeg-turbo (TurboJPEG, " + NAMES[0] + ")"
                : "ImageIO (" + UNAVAILABLE + "; install libturbojpeg0 for faster JPEG decoding)";
    }

    private static String register() {
        if (Boolean.getBoolean("modelruntime.imageio.jpeg")) {
            return "turned off by -Dmodelruntime.imageio.jpeg=true";
        }
        String why = "libturbojpeg not found";
        for (String name : NAMES) {
            try {
                Native.register(TurboJpeg.class, NativeLibrary.getInstance(name));
                return null;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                why = "libturbojpeg did not load: " + e.getMessage();
            }
        }
        return why;
    }

    static native Pointer tjInitDecompress();

    static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong size, int[] width, int[] height,
            int[] subsampling, int[] colorspace);

    static native int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong size, byte[] destination, int width,
            int pitch, int height, int pixelFormat, int flags);

    static native int tjDestroy(Pointer handle);
}
