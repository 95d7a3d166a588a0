package com.modelfactory.runtime.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import org.slf4j.LoggerFactory;

/**
 * The part of libjpeg-turbo's TurboJPEG 2 API that decoding needs, bound by JNA direct mapping to the
 * system's {@code libturbojpeg.so.0} (package libturbojpeg0 on Debian, libturbojpeg on Ubuntu; in the
 * image). Why not ImageIO: the JDK's JPEG reader is libjpeg 6b without SIMD and cannot scale in the DCT
 * domain; a 640x480 photo shaped for a 224x224 input took 3.3 ms of CPU with it, 1.2 ms here (JMH). The library is optional: when it
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
    /**
     * Refuse a progressive file of more than 500 scans. Not a defence by itself: a refused file goes to
     * ImageIO, which decodes a scan bomb as slowly as before.
     */
    static final int FLAG_LIMITSCANS = 32768;

    private static final String[] NAMES = {"libturbojpeg.so.0", "turbojpeg"};
    /** The name the library loaded by, once loaded. */
    private static String loaded;
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
        return available() ? "libjpeg-turbo (TurboJPEG, " + loaded + ")"
                : "ImageIO (" + UNAVAILABLE + "; install libturbojpeg0 for faster JPEG decoding)";
    }

    private static String register() {
        if (Boolean.getBoolean("modelruntime.imageio.jpeg")) {
            return "turned off by -Dmodelruntime.imageio.jpeg=true";
        }
        String why = "libturbojpeg not found";
        for (String name : NAMES) {
            NativeLibrary library;
            try {
                library = NativeLibrary.getInstance(name);
            } catch (UnsatisfiedLinkError e) {
                why = "libturbojpeg did not load: " + e.getMessage();
                continue; // that name is not on this system; the next may be
            } catch (LinkageError | RuntimeException e) {
                // JNA itself did not initialise (its dispatch library missing or of another version): every
                // further use would throw NoClassDefFoundError, so stop here and keep ImageIO
                return "JNA did not load (" + e + ")";
            }
            try {
                Native.register(TurboJpeg.class, library);
                loaded = name;
                return null;
            } catch (LinkageError | RuntimeException e) {
                return "libturbojpeg did not bind: " + e;
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
