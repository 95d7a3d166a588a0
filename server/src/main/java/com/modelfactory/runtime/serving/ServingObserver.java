package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.batching.BatchObserver;

/** What the serving core reports as it works, beyond batching; the metrics package implements it. */
public interface ServingObserver extends BatchObserver {
    ServingObserver NONE = new ServingObserver() {
    };

    /** A request's body was decoded into tensors in this long. */
    default void decoded(long nanos) {
    }
}
