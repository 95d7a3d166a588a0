package com.modelfactory.runtime.grpc;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The gRPC {@code grpc-timeout} header: up to 8 digits and a unit (H, M, S, m, u, n). */
final class Deadlines {
    private static final Pattern TIMEOUT = Pattern.compile("([0-9]{1,8})([HMSmun])");

    private Deadlines() {
    }

    /** @return the timeout in nanoseconds, or -1 when the header is absent or malformed (no deadline) */
    static long grpcTimeoutNanos(String header) {
        if (header == null) {
            return -1;
        }
        Matcher m = TIMEOUT.matcher(header.trim());
        if (!m.matches()) {
            return -1;
        }
        long value = Long.parseLong(m.group(1));
        TimeUnit unit = switch (m.group(2)) {
            case "H" -> TimeUnit.HOURS;
            case "M" -> TimeUnit.MINUTES;
            case "S" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MILLISECONDS;
            case "u" -> TimeUnit.MICROSECONDS;
            default -> TimeUnit.NANOSECONDS;
        };
        return unit.toNanos(value);
    }
}
