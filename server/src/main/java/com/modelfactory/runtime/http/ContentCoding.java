package com.modelfactory.runtime.http;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.transport.BoundedInflation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * HTTP content codings of request and response bodies: gzip and deflate (the zlib format, as
 * tritonclient's {@code zlib.compress} and Triton send it; a raw deflate stream is accepted too).
 *
 * <p>A compressed request is inflated in bounded steps and refused with 413 as soon as the inflated size
 * passes the body limit, so a gzip bomb (kilobytes that inflate to gigabytes) costs at most the limit;
 * Vert.x's own decompression has no limit of its own.
 */
enum ContentCoding {
    IDENTITY, GZIP, DEFLATE;

    static final String ACCEPTED = "gzip, deflate";
    private static final int STEP = 64 * 1024;

    /** The coding a Content-Encoding header names; UNSUPPORTED_MEDIA_TYPE (415) for any other. */
    static ContentCoding ofRequest(String header) {
        String h = header == null ? "" : header.trim().toLowerCase(Locale.ROOT);
        return switch (h) {
            case "", "identity" -> IDENTITY;
            case "gzip", "x-gzip" -> GZIP;
            case "deflate" -> DEFLATE;
            default -> throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Encoding '" + header + "' is not supported; send gzip, deflate or identity");
        };
    }

    /**
     * The response coding an Accept-Encoding header asks for, as Triton chooses it: among identity, gzip
     * and deflate the highest q wins, the first listed on a tie; anything else, q=0 and malformed entries
     * are ignored.
     */
    static ContentCoding forResponse(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return IDENTITY;
        }
        ContentCoding best = IDENTITY;
        double bestQ = -1;
        for (String entry : acceptEncoding.split(",")) {
            String[] parts = entry.split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            ContentCoding c = switch (name) {
                case "identity" -> IDENTITY;
                case "gzip", "x-gzip" -> GZIP;
                case "deflate" -> DEFLATE;
                default -> null;
            };
            double q = quality(parts);
            if (c != null && q > 0 && q > bestQ) {
                best = c;
                bestQ = q;
            }
        }
        return best;
    }

    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("q=")) {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return 1;
    }

    /** The header value for this coding on a response. */
    String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The request body as sent, inflated to at most {@code limit} bytes (TOO_LARGE past it). */
    byte[] inflate(byte[] body, long limit) {
        if (this == IDENTITY) {
            return body;
        }
        Inflater inflater = this == DEFLATE ? new Inflater(!zlibHeader(body)) : null;
        try (InputStream in = inflater == null ? new GZIPInputStream(new ByteArrayInputStream(body), STEP)
                : new InflaterInputStream(new ByteArrayInputStream(body), inflater, STEP)) {
            return BoundedInflation.readArray(in, limit, body.length, () -> ServingException.tooLarge(
                    "request body over " + limit + " bytes once inflated from " + token()
                            + " (max_body_bytes / MAX_BODY_BYTES applies to the inflated size)"));
        } catch (IOException e) {
            throw ServingException.badInput("the " + token() + " request body is corrupt or truncated: "
                    + e.getMessage());
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** RFC 1950: compression method 8 and a header checksum divisible by 31. */
    private static boolean zlibHeader(byte[] b) {
        return b.length >= 2 && (b[0] & 0x0f) == 8 && (((b[0] & 0xff) << 8) | (b[1] & 0xff)) % 31 == 0;
    }

    /** The body in this coding (both streams own and end their Deflater). */
    byte[] compress(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
        try (DeflaterOutputStream z = this == GZIP ? new GZIPOutputStream(out, STEP) : new DeflaterOutputStream(out)) {
            z.write(body);
        } catch (IOException e) {
            throw new IllegalStateException("compressing in memory failed", e);
        }
        return out.toByteArray();
    }
}
