package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The weights of one layer in the order its {@code weight_names} lists them. A weight is found by its
 * role name ("kernel", "bias", "gamma") because Keras 2 lists nested models' weights trainable first,
 * so positions only hold inside one plain layer; Keras 1 names ("dense_1_W") fall back to position.
 */
final class LayerWeights {
    private final String layerName;
    private final List<NamedArray> arrays;
    private final Set<NamedArray> used = Collections.newSetFromMap(new IdentityHashMap<>());

    LayerWeights(String layerName, List<NamedArray> arrays) {
        this.layerName = layerName;
        this.arrays = List.copyOf(arrays);
    }

    static LayerWeights none(String layerName) {
        return new LayerWeights(layerName, List.of());
    }

    boolean isEmpty() {
        return arrays.isEmpty();
    }

    int size() {
        return arrays.size();
    }

    /**
     * The weights of a layer inside a nested model: those whose scope names that layer. Keras 2 sometimes
     * scopes a weight under the layer name with a "_1" suffix (a layer rebuilt in a second graph).
     */
    LayerWeights forSublayer(String sublayer) {
        List<NamedArray> exact = new ArrayList<>();
        List<NamedArray> suffixed = new ArrayList<>();
        Pattern renamed = Pattern.compile(Pattern.quote(sublayer) + "_\\d+");
        for (NamedArray a : arrays) {
            String[] scopes = a.scopes();
            if (Arrays.asList(scopes).contains(sublayer)) {
                exact.add(a);
            } else if (Arrays.stream(scopes).anyMatch(s -> renamed.matcher(s).matches())) {
                suffixed.add(a);
            }
        }
        return new LayerWeights(sublayer, exact.isEmpty() ? suffixed : exact);
    }

    /** The weight with one of these role names, else the one at {@code position}. */
    NamedArray require(int position, String... roles) throws ModelLoadException {
        NamedArray a = find(position, roles);
        if (a == null) {
            throw new ModelLoadException("layer '" + layerName + "' has no weight " + String.join(" or ", roles)
                    + " in the H5 file (weights found: " + arrays + ")");
        }
        return a;
    }

    /** Like {@link #require} but null when the layer has no such weight (a layer without bias). */
    NamedArray find(int position, String... roles) {
        for (String role : roles) {
            for (NamedArray a : arrays) {
                if (a.baseName().equals(role)) {
                    used.add(a);
                    return a;
                }
            }
        }
        boolean anyNamedByRole = arrays.stream().anyMatch(a -> KNOWN_ROLES.contains(a.baseName()));
        if (!anyNamedByRole && position >= 0 && position < arrays.size()) {
            used.add(arrays.get(position));
            return arrays.get(position);
        }
        return null;
    }

    /**
     * Weights no converter asked for, except Normalization's sample count (bookkeeping only). A weight
     * left over means the config and the weights disagree, so the rebuilt layer would compute something else.
     */
    List<NamedArray> unused() {
        return arrays.stream().filter(a -> !used.contains(a) && !"count".equals(a.baseName())).toList();
    }

    private static final Set<String> KNOWN_ROLES = Set.of("kernel", "bias", "gamma", "beta",
            "moving_mean", "moving_variance", "depthwise_kernel", "pointwise_kernel", "embeddings", "alpha",
            "mean", "variance", "count");

    @Override
    public String toString() {
        return layerName + arrays;
    }
}
