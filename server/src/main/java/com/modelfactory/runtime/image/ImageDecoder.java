package com.modelfactory.runtime.image;

import com.modelfactory.runtime.error.ServingException;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first frame of a JPEG, PNG, BMP, GIF, TIFF (JDK plugin) or WebP (TwelveMonkeys plugin)
 * with ImageIO, defended against hostile input:
 * <ul>
 * <li>width, height and frame count come from the header ({@code getWidth/getHeight(0)},
 *     {@code getNumImages(false)}, which never scans the file) before any pixel is allocated; more
 *     pixels than the limit is 413, a 0-sized image or no frame 400;</li>
 * <li>an image much larger than the model input is decoded subsampled ({@link Subsampling}), a JPEG
 *     scaled in the DCT domain by libjpeg-turbo where it is installed ({@link JpegFastPath});</li>
 * <li>a truncated or corrupt file is 400, including what readers only warn about ({@link ReadWarnings})
 *     or silently accept (a cut RIFF/WebP file);</li>
 * <li>the EXIF orientation is read from the bytes ({@link ExifOrientationReader}) when enabled.</li>
 * </ul>
 * Every failure is a {@link ServingException}. ImageIO's disk cache is off: decoding is from memory.
 */
public final class ImageDecoder {
    private static final String FORMATS = "JPEG, PNG, BMP, GIF, TIFF or WebP";
    /** Largest image whose channel values fit one Java float array (3 per pixel). */
    private static final long ARRAY_LIMIT_PIXELS = (Integer.MAX_VALUE - 8) / 3;

    static {
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;
    private final boolean exifOrientation;
    private final boolean jpegFastPath;

    /**
     * @param maxPixels       largest width x height accepted, as stated by the header
     * @param exifOrientation whether to report the EXIF orientation (else every image is upright)
     */
    public ImageDecoder(long maxPixels, boolean exifOrientation) {
        this(maxPixels, exifOrientation, true);
    }

    /** @param jpegFastPath false: JPEGs by ImageIO even where libjpeg-turbo is installed (tests of that path) */
    ImageDecoder(long maxPixels, boolean exifOrientation, boolean jpegFastPath) {
        this.maxPixels = Math.min(maxPixels, ARRAY_LIMIT_PIXELS);
        this.exifOrientation = exifOrientation;
        this.jpegFastPath = jpegFastPath;
    }

    /**
     * Decodes the first frame, subsampled when it is over four times the target in a dimension.
     *
     * @param targetWidth  upright width the image will be resized to, or 0 for its own (no subsampling)
     * @param targetHeight likewise the height
     */
    public DecodedImage decode(byte[] bytes, int targetWidth, int targetHeight) {
        if (bytes == null || bytes.length == 0) {
            throw ServingException.badInput("the request body is empty; expected an image (" + FORMATS + ")");
        }
        refuseCutRiff(bytes);
        // Read once for every path: each needs it to know which axes the target lies along.
        Orientation orientation = exifOrientation ? ExifOrientationReader.read(bytes) : Orientation.NORMAL;
        DecodedImage common = commonPng(bytes, targetWidth, targetHeight, orientation);
        if (common == null) {
            common = commonJpeg(bytes, targetWidth, targetHeight, orientation);
        }
        if (common != null) {
            return common;
        }
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            ImageReader reader = readerFor(in, bytes);
            try {
                reader.setInput(in, true, true);
                return read(reader, targetWidth, targetHeight, orientation);
            } finally {
                reader.dispose();
            }
        } catch (ServingException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ServingException.badInput("the image could not be decoded (truncated or corrupt?): " + reason(e));
        }
    }

    /** The common PNG without ImageIO ({@link PngFastPath}) when it needs no subsampling; else null. */
    private DecodedImage commonPng(byte[] bytes, int targetWidth, int targetHeight, Orientation orientation) {
        int[] size = PngFastPath.size(bytes);
        if (size == null) {
            return null;
        }
        if (Subsampling.forTarget(size[0], size[1], targetWidth, targetHeight, orientation.swapsAxes()).any()) {
            return null;
        }
        BufferedImage image = PngFastPath.decode(bytes, maxPixels);
        return image == null ? null : new DecodedImage(image, orientation);
    }

    /**
     * A JPEG by libjpeg-turbo ({@link JpegFastPath}), scaled in the DCT domain towards the target; null
     * when the library is not installed or the file is for ImageIO (which then reports any error).
     */
    private DecodedImage commonJpeg(byte[] bytes, int targetWidth, int targetHeight, Orientation orientation) {
        if (!jpegFastPath) {
            return null;
        }
        boolean swap = orientation.swapsAxes();
        JpegFastPath.Scaled image;
        try {
            image = JpegFastPath.decodeScaled(bytes, swap ? targetHeight : targetWidth, swap ? targetWidth : targetHeight,
                    maxPixels);
        } catch (LinkageError e) {
            return null; // the native side unusable after all: ImageIO, which needs none of it
        }
        return image == null ? null
                : new DecodedImage(image.image(), orientation, image.sourceWidth(), image.sourceHeight());
    }

    private DecodedImage read(ImageReader reader, int targetWidth, int targetHeight, Orientation orientation)
            throws IOException {
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        if (reader.getNumImages(false) == 0) {
            throw ServingException.badInput("the " + format + " file holds no image");
        }
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        refuseSize(format, width, height);
        Subsampling sub = Subsampling.forTarget(width, height, targetWidth, targetHeight, orientation.swapsAxes());
        ImageReadParam param = reader.getDefaultReadParam();
        if (sub.any()) {
            param.setSourceSubsampling(sub.x(), sub.y(), 0, 0);
        }
        ReadWarnings warnings = ReadWarnings.listenTo(reader);
        BufferedImage image = reader.read(0, param);
        if (warnings.invalidating() != null) {
            throw ServingException.badInput("the " + format + " image is truncated or corrupt: "
                    + warnings.invalidating());
        }
        return new DecodedImage(image, orientation, width, height);
    }

    private void refuseSize(String format, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw ServingException.badInput("the " + format + " image is " + width + "x" + height + " pixels");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw ServingException.tooLarge("the " + format + " image is " + width + "x" + height + " = " + pixels
                    + " pixels, over the limit of " + maxPixels + " (max_image_pixels / MAX_IMAGE_PIXELS)");
        }
    }

    private static ImageReader readerFor(ImageInputStream in, byte[] bytes) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw ServingException.badInput("the body is not a supported image (" + bytes.length
                    + " bytes starting " + hexPrefix(bytes) + "); expected " + FORMATS);
        }
        return readers.next();
    }

    /**
     * A RIFF (WebP) file states its length up front; the WebP plugin decodes a cut lossless file without
     * an error (the missing part comes out black), so the stated length is checked here.
     */
    private static void refuseCutRiff(byte[] b) {
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F') {
            long stated = 8 + ((b[4] & 0xffL) | (b[5] & 0xffL) << 8 | (b[6] & 0xffL) << 16 | (b[7] & 0xffL) << 24);
            if (stated > b.length) {
                throw ServingException.badInput("the RIFF (WebP) file is truncated: its header says " + stated
                        + " bytes, the body has " + b.length);
            }
        }
    }

    private static String reason(Exception e) {
        if (e instanceof EOFException || e.getCause() instanceof EOFException) {
            return "the data ends early";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String hexPrefix(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }
}
