package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a response body to a file, hashing it on the way, and remembers when bytes last arrived so the
 * downloader can tell a stalled body (read timeout) from a slow one. The body never sits in memory.
 */
final class FileBodySubscriber implements HttpResponse.BodySubscriber<Long> {
    private final FileChannel channel;
    private final MessageDigest sha256;
    private final CompletableFuture<Long> result = new CompletableFuture<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile Flow.Subscription subscription;

    FileBodySubscriber(Path target) throws IOException {
        this.channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (result.isDone()) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        try {
            for (ByteBuffer b : buffers) {
                sha256.update(b.duplicate());
                while (b.hasRemaining()) {
                    bytes.addAndGet(channel.write(b));
                }
            }
            lastActivityNanos = System.nanoTime();
            subscription.request(1);
        } catch (IOException e) {
            abort(new LocalWriteException(e));
        } catch (RuntimeException e) {
            abort(e);
        }
    }

    /** Writing to MODEL_DIR failed (disk full, permissions): not the network's fault, so not retried. */
    static final class LocalWriteException extends IOException {
        LocalWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    @Override
    public void onError(Throwable t) {
        closeQuietly();
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        try {
            channel.force(false);
            channel.close();
            result.complete(bytes.get());
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public CompletionStage<Long> getBody() {
        return result;
    }

    /** Stops the transfer (the client closes the connection) and fails the body with {@code cause}. */
    void abort(Throwable cause) {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        closeQuietly();
        result.completeExceptionally(cause);
    }

    long bytes() {
        return bytes.get();
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Hex SHA-256 of everything received; call once, after completion. */
    String sha256Hex() {
        return java.util.HexFormat.of().formatHex(sha256.digest());
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing; the partial file is deleted with the temp folder
        }
    }
}
