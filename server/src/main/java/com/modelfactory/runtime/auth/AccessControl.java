package com.modelfactory.runtime.auth;

import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens per endpoint group, checked for every HTTP request and gRPC call before its body is read.
 * Without AUTH_TOKENS_FILE nothing is checked (today's behaviour). The file is re-read when it changes (a
 * rotated Secret); a broken new file is refused, logged, and the tokens in force are kept. Refusals are
 * counted per group and reason ({@code auth_failures_total}); the log line is at most one per 10 s, and
 * never holds a token.
 */
public final class AccessControl implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    static final long RELOAD_CHECK_MS = 1_000;
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final Path file;
    private volatile AccessTokens tokens;
    private volatile FileTime loadedAt;
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final RuntimeMetrics metrics;
    private final ScheduledExecutorService watcher;
    private final LongAdder reloaded = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private AccessControl(Path file, AccessTokens tokens, RuntimeMetrics metrics) {
        this.file = file;
        this.tokens = tokens;
        this.metrics = metrics;
        this.loadedAt = modified(file);
        this.watcher = file == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auth-tokens-watch");
            t.setDaemon(true);
            return t;
        });
        if (metrics != null) {
            metrics.serverCounterTagged("auth_tokens_reloads", "times AUTH_TOKENS_FILE changed: reloaded, or refused "
                    + "(the tokens in force kept)", reloaded, LongAdder::sum, "result", "reloaded");
            metrics.serverCounterTagged("auth_tokens_reloads", "times AUTH_TOKENS_FILE changed: reloaded, or refused "
                    + "(the tokens in force kept)", refused, LongAdder::sum, "result", "refused");
        }
        if (watcher != null) {
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, RELOAD_CHECK_MS, RELOAD_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** No checks at all. */
    public static AccessControl open() {
        return new AccessControl(null, null, null);
    }

    /**
     * Tokens from {@code file} (null: no checks). Throws IllegalArgumentException naming the file and the
     * fault when it cannot be used: start-up stops on that.
     */
    public static AccessControl fromFile(Path file, RuntimeMetrics metrics) {
        if (file == null) {
            return open();
        }
        try {
            return new AccessControl(file, AccessTokens.read(file), metrics);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read AUTH_TOKENS_FILE " + file + ": " + e.getMessage());
        }
    }

    public boolean enabled() {
        return tokens != null;
    }

    /**
     * Throws UNAUTHENTICATED (no or unknown token) or FORBIDDEN (a token without the group) unless
     * {@code authorization} (the header's value: "Bearer token") opens {@code group}.
     */
    public void require(String authorization, EndpointGroup group) {
        AccessTokens t = tokens;
        if (t == null) {
            return;
        }
        String token = bearer(authorization);
        AccessTokens.Verdict v = t.check(token, group);
        if (v == AccessTokens.Verdict.ALLOWED) {
            return;
        }
        String reason = v == AccessTokens.Verdict.FORBIDDEN ? "forbidden" : token == null ? "missing" : "unknown";
        count(group, reason);
        if (v == AccessTokens.Verdict.FORBIDDEN) {
            throw new ServingException(ServingException.Kind.FORBIDDEN, "this token does not open the "
                    + group.key() + " endpoints");
        }
        throw new ServingException(ServingException.Kind.UNAUTHENTICATED, token == null
                ? "the " + group.key() + " endpoints need a bearer token (Authorization: Bearer <token>)"
                : "the bearer token is not valid");
    }

    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() > 7 && a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return a.substring(7).trim();
        }
        return null;
    }

    private void count(EndpointGroup group, String reason) {
        failures.computeIfAbsent(group.key() + "|" + reason, k -> {
            LongAdder n = new LongAdder();
            if (metrics != null) {
                metrics.serverCounterTagged("auth_failures", "requests refused for a missing, unknown or "
                        + "insufficient bearer token", n, LongAdder::sum, "group", group.key(), "reason", reason);
            }
            return n;
        }).increment();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            log.warn("refused a request to the {} endpoints: {} token (further refusals in the next 10 s are only "
                    + "counted in auth_failures_total)", group.key(), reason);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return file == null ? null : Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private void reloadIfChanged() {
        FileTime now = modified(file);
        if (now == null || now.equals(loadedAt)) {
            return;
        }
        loadedAt = now;
        try {
            tokens = AccessTokens.read(file);
            reloaded.increment();
            log.info("AUTH_TOKENS_FILE {} changed: tokens reloaded", file);
        } catch (IOException | RuntimeException e) {
            refused.increment();
            log.error("AUTH_TOKENS_FILE {} changed but cannot be used, the tokens in force are kept: {}", file,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
