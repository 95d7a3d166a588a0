package com.modelfactory.runtime.serving;

import java.time.Duration;

/**
 * How the serving core runs one model, resolved before it starts.
 *
 * @param maxBatchItems  most items per batch, already capped by the model's batch dimension
 * @param maxBatchDelay  how long a partial batch waits for more requests while some are still being read or decoded
 * @param queueCapacity  requests accepted and not yet answered (decoding, queued or running) before BUSY
 * @param workers        batch workers, each with its own predictor
 * @param decoders       threads decoding request bodies into tensors
 * @param requestTimeout deadline from acceptance; a queued request past it never reaches the engine
 * @param maxRequestItems most items one request may carry (more: TOO_LARGE); a request over
 *                        {@code maxBatchItems} runs in parts of at most that many
 */
public record ServiceSettings(int maxBatchItems, Duration maxBatchDelay, int queueCapacity, int workers,
                              int decoders, Duration requestTimeout, int maxRequestItems) {

    public ServiceSettings {
        if (maxBatchItems < 1 || maxRequestItems < 1 || maxBatchDelay.isNegative() || queueCapacity < 1 || workers < 1 || decoders < 1
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("invalid serving settings " + this);
        }
    }
}
