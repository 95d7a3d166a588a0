package com.modelfactory.runtime.tensorflow;

/**
 * TensorFlow's two spellings of a tensor name: {@code op:N}, and {@code op} for its first output. Users
 * write {@code logits:0} as TF1 code fetches it, or {@code logits}; both name the same tensor.
 */
final class TensorNames {
    private TensorNames() {
    }

    /** {@code name} with its output index: "logits" is "logits:0"; "split:1" stays. */
    static String withIndex(String name) {
        int colon = name.lastIndexOf(':');
        boolean indexed = colon > 0 && colon < name.length() - 1 && name.substring(colon + 1).chars().allMatch(Character::isDigit);
        return indexed ? name : name + ":0";
    }

    /** Whether the two names denote the same tensor (or signature entry). */
    static boolean same(String a, String b) {
        return withIndex(a).equals(withIndex(b));
    }
}
