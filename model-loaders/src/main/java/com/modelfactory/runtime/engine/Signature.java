package com.modelfactory.runtime.engine;

import java.util.List;

/**
 * What a model takes and returns.
 *
 * @param batched  whether the first dimension of every input and output is a batch dimension
 * @param maxBatch largest batch the model accepts: the fixed first dimension, or -1 when dynamic
 *                 (0 when the model has no batch dimension)
 */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs, boolean batched, long maxBatch) {

    public Signature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * Infers batching from the inputs: batched when every input has rank >= 1 and the first dimension
     * is dynamic (or equal across inputs); a fixed first dimension caps the batch.
     */
    public static Signature infer(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        boolean batched = !inputs.isEmpty();
        long fixed = -1;
        for (TensorSpec in : inputs) {
            if (!in.shapeKnown() || in.rank() < 1) {
                batched = false;
                break;
            }
            long d = in.dim(0);
            if (d > 0) {
                if (fixed > 0 && fixed != d) {
                    batched = false;
                    break;
                }
                fixed = d;
            }
        }
        // A fixed first dimension of 1 on every input is as good as "no batch dimension" for batching,
        // but it is still the batch axis: requests carry [1, ...].
        return new Signature(inputs, outputs, batched, batched ? fixed : 0);
    }

    public TensorSpec input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public TensorSpec output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** True when every input shape is known (TorchScript without config is not). */
    public boolean shapesKnown() {
        return inputs.stream().allMatch(TensorSpec::shapeKnown);
    }
}
