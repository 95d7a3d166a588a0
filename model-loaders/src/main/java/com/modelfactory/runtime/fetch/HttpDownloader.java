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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one URL to one file with {@link HttpClient}: streamed to disk, connect and read (idle)
 * timeouts, retries with backoff on connection errors, timeouts, 5xx/408/429 and bodies shorter than their
 * Content-Length, none on other statuses. Only redacted URLs reach logs and messages; header values never do.
 */
final class HttpDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDownloader.class);

    /** The file that arrived: its size, SHA-256 and the name the server suggested, if any. */
    record Result(long bytes, String sha256, Optional<String> suggestedFileName, Duration duration, int retries) {
    }

    private final HttpClient client;
    private final Duration readTimeout;
    private final Duration progressInterval;
    private final RetryPolicy retry;
    private final AcquisitionListener listener;

    HttpDownloader(Duration connectTimeout, Duration readTimeout, RetryPolicy retry, Duration progressInterval,
                   AcquisitionListener listener) {
        this.client = HttpClient.newBuilder()
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
    }

    Result download(URI uri, Map<String, String> headers, Path target, String expectedSha256)
            throws ModelAcquisitionException, InterruptedException {
        String safeUrl = Redaction.url(uri);
        long started = System.nanoTime();
        String lastFailure = null;
        int lastStatus = -1;
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                Duration backoff = retry.backoffBeforeRetry(attempt - 1);
                LOG.warn("model download attempt {} of {} failed: {}; retrying in {} ms", attempt - 1,
                        retry.maxAttempts(), lastFailure, backoff.toMillis());
                listener.downloadRetry(attempt - 1, lastFailure, backoff);
                Thread.sleep(backoff.toMillis());
            }
            try {
                Result r = attempt(uri, headers, target, safeUrl, attempt);
                if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(r.sha256())) {
                    // Not retried: TCP already checksums the transfer, so a mismatch means the store
                    // serves other bytes than the configured checksum describes.
                    String msg = "model download from " + safeUrl + " has SHA-256 " + r.sha256()
                            + " but MODEL_SHA256 is " + expectedSha256 + " (" + r.bytes() + " bytes received)";
                    listener.downloadFailed(msg, attempt - 1);
                    throw new ChecksumMismatchException(msg);
                }
                Result done = new Result(r.bytes(), r.sha256(), r.suggestedFileName(),
                        Duration.ofNanos(System.nanoTime() - started), attempt - 1);
                LOG.info("model downloaded from {}: {} in {} ms{}", safeUrl, Progress.bytes(done.bytes()),
                        done.duration().toMillis(), done.retries() == 0 ? "" : " after " + done.retries() + " retries");
                listener.downloadCompleted(done.bytes(), done.duration(), done.retries());
                return done;
            } catch (AttemptFailed f) {
                lastFailure = f.getMessage();
                lastStatus = f.status;
                lastCause = f.getCause();
                if (!f.retryable) {
                    listener.downloadFailed(lastFailure, attempt - 1);
                    throw new DownloadFailedException("model download failed: " + lastFailure
                            + (f.status == 401 || f.status == 403 ? " (check GUID and MODEL_STORE_HEADERS)" : "")
                            + (f.status == 404 ? " (check MODEL_ID, MODEL_VERSION and MODEL_URL_TEMPLATE)" : ""),
                            f.status, attempt, f.getCause());
                }
            }
        }
        listener.downloadFailed(lastFailure, retry.maxAttempts() - 1);
        throw new DownloadFailedException("model download failed after " + retry.maxAttempts() + " attempts; last: "
                + lastFailure, lastStatus, retry.maxAttempts(), lastCause);
    }

    /** One attempt's failure, and whether another attempt may succeed. */
    private static final class AttemptFailed extends Exception {
        final boolean retryable;
        final int status;

        AttemptFailed(String message, boolean retryable, int status, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
            this.status = status;
        }
    }

    private static final int MAX_REDIRECTS = 5;

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
                        hop == 0 ? safeUrl : Redaction.url(current), attempt);
            } catch (Redirected r) {
                if (hop >= MAX_REDIRECTS) {
                    throw new AttemptFailed("more than " + MAX_REDIRECTS + " redirects from " + safeUrl, false, -1, null);
                }
                if ("https".equalsIgnoreCase(current.getScheme()) && !"https".equalsIgnoreCase(r.location.getScheme())) {
                    throw new AttemptFailed("refusing a redirect from https to " + Redaction.url(r.location), false, -1, null);
                }
                LOG.info("model download redirected to {}", Redaction.url(r.location));
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

    private Result exchange(URI uri, Map<String, String> headers, Path target, String safeUrl, int attempt)
            throws AttemptFailed, InterruptedException, Redirected {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(readTimeout);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            try {
                rb.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                throw new AttemptFailed("MODEL_STORE_HEADERS: header '" + h.getKey() + "' cannot be set ("
                        + "restricted or invalid name)", false, -1, null);
            }
        }
        AtomicReference<FileBodySubscriber> body = new AtomicReference<>();
        AtomicReference<IOException> openFailure = new AtomicReference<>();
        AtomicReference<HttpResponse.ResponseInfo> head = new AtomicReference<>();
        HttpResponse.BodyHandler<Long> handler = info -> {
            head.set(info);
            if (info.statusCode() / 100 != 2) {
                return HttpResponse.BodySubscribers.replacing(-1L);
            }
            try {
                FileBodySubscriber s = new FileBodySubscriber(target);
                body.set(s);
                return s;
            } catch (IOException e) {
                openFailure.set(e);
                return HttpResponse.BodySubscribers.replacing(-1L);
            }
        };
        CompletableFuture<HttpResponse<Long>> future = client.sendAsync(rb.build(), handler);
        Progress progress = null;
        long pollMillis = Math.max(10, Math.min(Math.min(readTimeout.toMillis() / 4, progressInterval.toMillis()), 1000));
        HttpResponse<Long> response;
        while (true) {
            try {
                response = future.get(pollMillis, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                FileBodySubscriber s = body.get();
                if (s == null) {
                    continue; // waiting for headers: HttpRequest.timeout bounds that
                }
                if (progress == null) {
                    progress = started(safeUrl, attempt, head.get());
                }
                long idle = System.nanoTime() - s.lastActivityNanos();
                if (idle > readTimeout.toNanos()) {
                    s.abort(new HttpTimeoutException("no data for " + readTimeout.toMillis() + " ms"));
                    future.cancel(true);
                    throw new AttemptFailed("read timeout: no data for " + readTimeout.toMillis() + " ms after "
                            + s.bytes() + " bytes from " + safeUrl, true, -1, null);
                }
                progress.maybeLog(s.bytes(), listener);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                FileBodySubscriber s = body.get();
                String after = s == null ? "" : " after " + s.bytes() + " bytes";
                if (cause instanceof FileBodySubscriber.LocalWriteException) {
                    throw new AttemptFailed("cannot write the download to " + target.getParent() + ": "
                            + cause.getMessage(), false, -1, cause);
                }
                if (cause instanceof HttpTimeoutException) {
                    throw new AttemptFailed("timeout (" + readTimeout.toMillis() + " ms) waiting for " + safeUrl
                            + after, true, -1, null);
                }
                if (cause instanceof IOException) {
                    throw new AttemptFailed(describe(cause) + after + " from " + safeUrl, true, -1, null);
                }
                throw new AttemptFailed("unexpected failure downloading " + safeUrl + ": " + cause, false, -1, cause);
            } catch (CancellationException e) {
                throw new AttemptFailed("download of " + safeUrl + " cancelled", true, -1, null);
            }
        }
        int status = response.statusCode();
        Optional<String> location = response.headers().firstValue("Location");
        if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && location.isPresent()) {
            try {
                URI next = uri.resolve(location.get().trim());
                if (next.getScheme() == null || next.getHost() == null
                        || !(next.getScheme().equalsIgnoreCase("http") || next.getScheme().equalsIgnoreCase("https"))) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                throw new Redirected(next);
            } catch (IllegalArgumentException e) {
                throw new AttemptFailed("HTTP " + status + " from " + safeUrl + " with an unusable Location", false, status, null);
            }
        }
        if (status / 100 != 2) {
            boolean retryable = RetryPolicy.retryableStatus(status);
            throw new AttemptFailed("HTTP " + status + " from " + safeUrl, retryable, status, null);
        }
        if (openFailure.get() != null) {
            throw new AttemptFailed("cannot write " + target + ": " + openFailure.get().getMessage(), false, status, null);
        }
        FileBodySubscriber s = body.get();
        long received = response.body();
        OptionalLong expected = response.headers().firstValueAsLong("Content-Length");
        if (expected.isPresent() && expected.getAsLong() != received) {
            throw new AttemptFailed("truncated body: " + received + " of " + expected.getAsLong()
                    + " bytes (Content-Length) from " + safeUrl, true, status, null);
        }
        if (progress == null) {
            started(safeUrl, attempt, head.get());
        }
        return new Result(received, s.sha256Hex(), contentDispositionFileName(response), Duration.ZERO, attempt - 1);
    }

    private Progress started(String safeUrl, int attempt, HttpResponse.ResponseInfo info) {
        long total = info == null ? -1 : info.headers().firstValueAsLong("Content-Length").orElse(-1);
        LOG.info("downloading model from {} ({})", safeUrl, total < 0 ? "size unknown" : Progress.bytes(total));
        listener.downloadStarted(safeUrl, attempt, total);
        return new Progress(safeUrl, total, progressInterval);
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
