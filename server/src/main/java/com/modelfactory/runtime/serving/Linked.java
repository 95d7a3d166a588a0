package com.modelfactory.runtime.serving;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A future derived from another whose cancellation reaches the source: a client that goes away
 * cancels what it holds, and the request must then be dropped wherever it is (plain thenApply would
 * cancel only the derived future).
 */
final class Linked<T> extends CompletableFuture<T> {
    private final CompletableFuture<?> source;

    private Linked(CompletableFuture<?> source) {
        this.source = source;
    }

    /** {@code source} mapped by {@code f} on the thread that completes it. */
    static <S, T> CompletableFuture<T> map(CompletableFuture<S> source, Function<? super S, ? extends T> f) {
        Linked<T> out = new Linked<>(source);
        source.whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
                return;
            }
            try {
                out.complete(f.apply(v));
            } catch (Throwable ex) { // an Error too (a decoder jar's LinkageError): never leave the caller waiting
                out.completeExceptionally(ex);
            }
        });
        return out;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        source.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning);
    }
}
