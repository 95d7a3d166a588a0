package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one URL to one file with {@link HttpClient}: streamed to disk, connect and read (idle)
 * timeouts, retries with backoff on connection errors, timeouts, 5xx/408/429 and bodies shorter than their
 * Content-Length, none on other statuses. Every text it logs, reports or throws goes through the
 * {@link Redactor}: no GUID or header value leaves it.
 */
final class HttpDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDownloader.class);
    private static final int MAX_REDIRECTS = 5;

    /** The file that arrived: its size, SHA-256 and the name the server suggested, if any. */
    record Result(long bytes, String sha256, Optional<String> suggestedFileName, Duration duration, int retries) {
    }

    private final HttpClient client;
    private final Duration readTimeout;
    private final Duration progressInterval;
    private final RetryPolicy retry;
    private final AcquisitionListener listener;
    private final Redactor redactor;

    HttpDownloader(Duration connectTimeout, Duration readTimeout, RetryPolicy retry, Duration progressInterval,
                   AcquisitionListener listener, Redactor redactor) {
        this(connectTimeout, readTimeout, retry, progressInterval, listener, redactor, null);
    }

    /** @param tls the store's own CA and client certificate; null: the system trust store alone */
    HttpDownloader(Duration connectTimeout, Duration readTimeout, RetryPolicy retry, Duration progressInterval,
                   AcquisitionListener listener, Redactor redactor, StoreTls tls) {
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (tls != null) {
            builder.sslContext(tls.context()); // host names are still verified: the JDK client always does
        }
        this.client = builder
                .connectTimeout(connectTimeout)
                // Redirects are followed here, not by the client, so that configured headers (tokens)
                // go only to the store's own origin and never to a redirect target elsewhere.
                .followRedirects(HttpClient.Redirect.NEVER)
                // Plain HTTP/1.1: no h2c upgrade dance with stores behind simple proxies.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.readTimeout = readTimeout;
        this.progressInterval = progressInterval;
        this.retry = retry;
        this.listener = listener;
        this.redactor = redactor;
    }

    Result download(URI uri, Map<String, String> headers, Path target, String expectedSha256)
            throws ModelAcquisitionException, InterruptedException {
        String safeUrl = redactor.url(uri);
        long started = System.nanoTime();
        AttemptFailed last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (last != null) {
                pauseBeforeRetry(attempt - 1, last.getMessage());
            }
            try {
                Result r = attempt(uri, headers, target, safeUrl, attempt);
                checkSha256(r, expectedSha256, safeUrl, attempt);
                return completed(r, started, attempt, safeUrl);
            } catch (AttemptFailed f) {
                last = f;
                if (!f.retryable) {
                    listener.downloadFailed(f.getMessage(), attempt - 1);
                    throw new DownloadFailedException("model download failed: " + f.getMessage() + hint(f.status),
                            f.status, attempt, f.getCause());
                }
            }
        }
        listener.downloadFailed(last.getMessage(), retry.maxAttempts() - 1);
        throw new DownloadFailedException("model download failed after " + retry.maxAttempts() + " attempts; last: "
                + last.getMessage(), last.status, retry.maxAttempts(), last.getCause());
    }

    private void pauseBeforeRetry(int failedAttempt, String failure) throws InterruptedException {
        Duration backoff = retry.backoffBeforeRetry(failedAttempt);
        LOG.warn("model download attempt {} of {} failed: {}; retrying in {} ms", failedAttempt,
                retry.maxAttempts(), failure, backoff.toMillis());
        listener.downloadRetry(failedAttempt, failure, backoff);
        Thread.sleep(backoff.toMillis());
    }

    /**
     * Not retried: TCP already checksums the transfer, so a mismatch means the store serves other bytes
     * than the configured checksum describes.
     */
    private void checkSha256(Result r, String expected, String safeUrl, int attempt) throws ChecksumMismatchException {
        if (expected != null && !expected.equalsIgnoreCase(r.sha256())) {
            String msg = "model download from " + safeUrl + " has SHA-256 " + r.sha256() + " but MODEL_SHA256 is "
                    + expected + " (" + r.bytes() + " bytes received)";
            listener.downloadFailed(msg, attempt - 1);
            throw new ChecksumMismatchException(msg);
        }
    }

    private Result completed(Result r, long startedNanos, int attempt, String safeUrl) {
        Result done = new Result(r.bytes(), r.sha256(), r.suggestedFileName(),
                Duration.ofNanos(System.nanoTime() - startedNanos), attempt - 1);
        LOG.info("model downloaded from {}: {} in {} ms{}", safeUrl, Progress.bytes(done.bytes()),
                done.duration().toMillis(), done.retries() == 0 ? "" : " after " + done.retries() + " retries");
        listener.downloadCompleted(done.bytes(), done.duration(), done.retries());
        return done;
    }

    private static String hint(int status) {
        return status == 401 || status == 403 ? " (check GUID and MODEL_STORE_HEADERS)"
                : status == 404 ? " (check MODEL_ID, MODEL_VERSION and MODEL_URL_TEMPLATE)" : "";
    }

    /** One attempt's failure, its message already redacted, and whether another attempt may succeed. */
    private static final class AttemptFailed extends Exception {
        final boolean retryable;
        final int status;

        AttemptFailed(String message, boolean retryable, int status, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
            this.status = status;
        }
    }

    /** A 3xx answer with a Location: the attempt goes on there. */
    private static final class Redirected extends Exception {
        final URI location;

        Redirected(URI location) {
            super(null, null, false, false);
            this.location = location;
        }
    }

    private Result attempt(URI uri, Map<String, String> headers, Path target, String safeUrl, int attempt)
            throws AttemptFailed, InterruptedException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            try {
                return exchange(current, sameOrigin(uri, current) ? headers : Map.of(), target,
                        hop == 0 ? safeUrl : redactor.url(current), attempt);
            } catch (Redirected r) {
                if (hop >= MAX_REDIRECTS) {
                    throw failed("more than " + MAX_REDIRECTS + " redirects from " + safeUrl, false, -1, null);
                }
                if ("https".equalsIgnoreCase(current.getScheme()) && !"https".equalsIgnoreCase(r.location.getScheme())) {
                    throw failed("refusing a redirect from https to " + redactor.url(r.location), false, -1, null);
                }
                LOG.info("model download redirected to {}", redactor.url(r.location));
                current = r.location;
            }
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** One request and its response: a file, a redirect, or a failure. */
    private Result exchange(URI uri, Map<String, String> headers, Path target, String safeUrl, int attempt)
            throws AttemptFailed, InterruptedException, Redirected {
        ResponseToFile handler = new ResponseToFile(target);
        CompletableFuture<HttpResponse<Long>> future = client.sendAsync(request(uri, headers), handler);
        Progress progress = null;
        long pollMillis = Math.max(10, Math.min(Math.min(readTimeout.toMillis() / 4, progressInterval.toMillis()), 1000));
        while (true) {
            try {
                HttpResponse<Long> response = future.get(pollMillis, TimeUnit.MILLISECONDS);
                return received(response, handler, uri, safeUrl, progress != null ? progress : started(safeUrl, attempt, handler));
            } catch (TimeoutException e) {
                FileBodySubscriber body = handler.body();
                if (body == null) {
                    continue; // waiting for headers: HttpRequest.timeout bounds that
                }
                progress = progress != null ? progress : started(safeUrl, attempt, handler);
                failIfIdle(body, future, safeUrl);
                progress.maybeReport(body.bytes(), listener);
            } catch (ExecutionException e) {
                throw failure(e.getCause(), handler, target, safeUrl);
            } catch (CancellationException e) {
                throw failed("download of " + safeUrl + " cancelled", true, -1, null);
            }
        }
    }

    private HttpRequest request(URI uri, Map<String, String> headers) throws AttemptFailed {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(readTimeout);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            try {
                rb.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                throw failed("MODEL_STORE_HEADERS: header '" + h.getKey() + "' cannot be set (restricted or invalid name)",
                        false, -1, null);
            }
        }
        return rb.build();
    }

    /** The read timeout is idle time: no bytes for that long stops the attempt (a slow body is fine). */
    private void failIfIdle(FileBodySubscriber body, CompletableFuture<?> future, String safeUrl) throws AttemptFailed {
        long idle = System.nanoTime() - body.lastActivityNanos();
        if (idle > readTimeout.toNanos()) {
            body.abort(new HttpTimeoutException("no data for " + readTimeout.toMillis() + " ms"));
            future.cancel(true);
            throw failed("read timeout: no data for " + readTimeout.toMillis() + " ms after " + body.bytes()
                    + " bytes from " + safeUrl, true, -1, null);
        }
    }

    private AttemptFailed failure(Throwable cause, ResponseToFile handler, Path target, String safeUrl) {
        FileBodySubscriber body = handler.body();
        String after = body == null ? "" : " after " + body.bytes() + " bytes";
        if (cause instanceof FileBodySubscriber.LocalWriteException) {
            return failed("cannot write the download to " + target.getParent() + ": " + cause.getMessage(), false, -1, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return failed("timeout (" + readTimeout.toMillis() + " ms) waiting for " + safeUrl + after, true, -1, null);
        }
        if (cause instanceof IOException) {
            return failed(describe(cause) + after + " from " + safeUrl, true, -1, null);
        }
        return failed("unexpected failure downloading " + safeUrl + ": " + cause, false, -1, cause);
    }

    /** The complete response: followed when a redirect, refused when not 2xx or shorter than it said. */
    private Result received(HttpResponse<Long> response, ResponseToFile handler, URI uri, String safeUrl,
                            Progress progress) throws AttemptFailed, Redirected {
        int status = response.statusCode();
        Optional<String> location = response.headers().firstValue("Location");
        if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && location.isPresent()) {
            throw redirect(uri, location.get(), status, safeUrl);
        }
        if (status / 100 != 2) {
            throw failed("HTTP " + status + " from " + safeUrl, RetryPolicy.retryableStatus(status), status, null);
        }
        if (handler.openFailure() != null) {
            throw failed("cannot write " + handler.target() + ": " + handler.openFailure().getMessage(), false, status, null);
        }
        long received = response.body();
        OptionalLong expected = response.headers().firstValueAsLong("Content-Length");
        if (expected.isPresent() && expected.getAsLong() != received) {
            throw failed("truncated body: " + received + " of " + expected.getAsLong() + " bytes (Content-Length) from "
                    + safeUrl, true, status, null);
        }
        return new Result(received, handler.body().sha256Hex(), contentDispositionFileName(response), Duration.ZERO, 0);
    }

    private Redirected redirect(URI uri, String location, int status, String safeUrl) throws AttemptFailed {
        try {
            URI next = uri.resolve(location.trim());
            if (next.getScheme() == null || next.getHost() == null
                    || !(next.getScheme().equalsIgnoreCase("http") || next.getScheme().equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return new Redirected(next);
        } catch (IllegalArgumentException e) {
            throw failed("HTTP " + status + " from " + safeUrl + " with an unusable Location", false, status, null);
        }
    }

    /** The body began (or a body-less answer came): logged and reported once per attempt. */
    private Progress started(String safeUrl, int attempt, ResponseToFile handler) {
        long total = handler.expectedBytes();
        if (handler.body() != null) {
            LOG.info("downloading model from {} ({})", safeUrl, total < 0 ? "size unknown" : Progress.bytes(total));
            listener.downloadStarted(safeUrl, attempt, total);
        }
        return new Progress(safeUrl, total, attempt, progressInterval);
    }

    /** Every failure message goes through here, so none carries a secret, whatever the JDK put in it. */
    private AttemptFailed failed(String message, boolean retryable, int status, Throwable cause) {
        return new AttemptFailed(redactor.text(message), retryable, status, cause);
    }

    private static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        return t.getMessage() == null ? name : name + ": " + t.getMessage();
    }

    /** {@code Content-Disposition: attachment; filename="model.tar.gz"}, reduced to a safe base name. */
    static Optional<String> contentDispositionFileName(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Disposition").flatMap(HttpDownloader::fileNameFromDisposition);
    }

    static Optional<String> fileNameFromDisposition(String header) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("filename\\*?=(?:UTF-8'')?\"?([^\";]+)\"?", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(header);
        if (!m.find()) {
            return Optional.empty();
        }
        String name = m.group(1).trim();
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() || name.startsWith(".") ? Optional.empty() : Optional.of(name);
    }
}
