package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outputs a request asked for (every protocol's "outputs" list): checked once, then picked. */
public final class RequestedOutputs {
    private RequestedOutputs() {
    }

    /** Refuses an unknown output or one asked for twice (BAD_INPUT naming it). */
    public static void check(Signature signature, List<String> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            String name = wanted.get(i);
            if (signature.output(name) == null) {
                throw ServingException.badInput("unknown output '" + name + "'; the model's outputs are "
                        + signature.outputs().stream().map(TensorSpec::name).toList());
            }
            if (wanted.subList(0, i).contains(name)) {
                throw ServingException.badInput("output '" + name + "' is requested twice");
            }
        }
    }

    /** The outputs asked for, in the order asked; every output when none was named. */
    public static Map<String, Tensor> select(Map<String, Tensor> outputs, List<String> wanted) {
        if (wanted.isEmpty()) {
            return outputs;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String w : wanted) {
            out.put(w, outputs.get(w));
        }
        return out;
    }
}
