package com.modelfactory.runtime.tensorflow;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;

/**
 * Reads the signatures of a TF Serving session bundle (the pre-SavedModel export: export.meta plus
 * variables). They live in the meta graph's "serving_signatures" collection as a packed
 * {@code tensorflow.serving.Signatures} message, which TF Java does not ship; its few fields are read
 * straight from the wire format:
 * <pre>
 * Signatures { Signature default_signature = 1; map&lt;string, Signature&gt; named_signatures = 2; }
 * Signature { oneof { RegressionSignature regression_signature = 1; ClassificationSignature
 *             classification_signature = 2; GenericSignature generic_signature = 3; } }
 * RegressionSignature { TensorBinding input = 1; TensorBinding output = 2; }
 * ClassificationSignature { TensorBinding input = 1; TensorBinding classes = 2; TensorBinding scores = 3; }
 * GenericSignature { map&lt;string, TensorBinding&gt; map = 1; }    TensorBinding { string tensor_name = 1; }
 * </pre>
 * TF Serving's Predict API serves the generic signatures named "inputs" and "outputs" (name -> tensor);
 * without them the default regression/classification signature's tensors are used.
 */
final class SessionBundleSignatures {
    static final String COLLECTION = "serving_signatures";

    /** Input and output names -> graph tensors. */
    record Endpoints(Map<String, String> inputs, Map<String, String> outputs) {
    }

    private SessionBundleSignatures() {
    }

    static boolean present(MetaGraphDef meta) {
        CollectionDef c = meta.getCollectionDefMap().get(COLLECTION);
        return c != null && c.hasAnyList() && c.getAnyList().getValueCount() > 0;
    }

    /** Empty when the collection is missing or holds nothing usable. */
    static Optional<Endpoints> read(MetaGraphDef meta) throws InvalidProtocolBufferException {
        if (!present(meta)) {
            return Optional.empty();
        }
        List<Any> anys = meta.getCollectionDefMap().get(COLLECTION).getAnyList().getValueList();
        if (anys.size() != 1) {
            return Optional.empty(); // TF Serving: "Expected exactly one signatures proto"
        }
        UnknownFieldSet signatures = UnknownFieldSet.parseFrom(anys.get(0).getValue());
        Map<String, UnknownFieldSet> named = new LinkedHashMap<>();
        for (ByteString entry : lengthDelimited(signatures, 2)) {
            UnknownFieldSet e = UnknownFieldSet.parseFrom(entry);
            List<ByteString> key = lengthDelimited(e, 1);
            List<ByteString> value = lengthDelimited(e, 2);
            if (!key.isEmpty() && !value.isEmpty()) {
                named.put(key.get(0).toStringUtf8(), UnknownFieldSet.parseFrom(value.get(0)));
            }
        }
        if (named.containsKey("inputs") && named.containsKey("outputs")) {
            Map<String, String> in = generic(named.get("inputs"));
            Map<String, String> out = generic(named.get("outputs"));
            if (!in.isEmpty() && !out.isEmpty()) {
                return Optional.of(new Endpoints(in, out));
            }
        }
        List<ByteString> def = lengthDelimited(signatures, 1);
        if (def.isEmpty()) {
            return Optional.empty();
        }
        UnknownFieldSet signature = UnknownFieldSet.parseFrom(def.get(0));
        List<ByteString> regression = lengthDelimited(signature, 1);
        if (!regression.isEmpty()) {
            UnknownFieldSet r = UnknownFieldSet.parseFrom(regression.get(0));
            return binding(r, 1).flatMap(in -> binding(r, 2).map(out ->
                    new Endpoints(Map.of("input", in), Map.of("output", out))));
        }
        List<ByteString> classification = lengthDelimited(signature, 2);
        if (!classification.isEmpty()) {
            UnknownFieldSet c = UnknownFieldSet.parseFrom(classification.get(0));
            Map<String, String> out = new LinkedHashMap<>();
            binding(c, 3).ifPresent(t -> out.put("scores", t));
            binding(c, 2).ifPresent(t -> out.put("classes", t));
            return binding(c, 1).filter(in -> !out.isEmpty()).map(in -> new Endpoints(Map.of("input", in), out));
        }
        return Optional.empty();
    }

    private static Map<String, String> generic(UnknownFieldSet signature) throws InvalidProtocolBufferException {
        Map<String, String> m = new LinkedHashMap<>();
        for (ByteString g : lengthDelimited(signature, 3)) {
            UnknownFieldSet generic = UnknownFieldSet.parseFrom(g);
            for (ByteString entry : lengthDelimited(generic, 1)) {
                UnknownFieldSet e = UnknownFieldSet.parseFrom(entry);
                List<ByteString> key = lengthDelimited(e, 1);
                List<ByteString> value = lengthDelimited(e, 2);
                if (!key.isEmpty() && !value.isEmpty()) {
                    List<ByteString> tensor = lengthDelimited(UnknownFieldSet.parseFrom(value.get(0)), 1);
                    if (!tensor.isEmpty()) {
                        m.put(key.get(0).toStringUtf8(), tensor.get(0).toStringUtf8());
                    }
                }
            }
        }
        return m;
    }

    private static Optional<String> binding(UnknownFieldSet message, int field) {
        try {
            List<ByteString> b = lengthDelimited(message, field);
            if (b.isEmpty()) {
                return Optional.empty();
            }
            List<ByteString> name = lengthDelimited(UnknownFieldSet.parseFrom(b.get(0)), 1);
            return name.isEmpty() ? Optional.empty() : Optional.of(name.get(0).toStringUtf8());
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    private static List<ByteString> lengthDelimited(UnknownFieldSet set, int field) {
        return set.hasField(field) ? set.getField(field).getLengthDelimitedList() : List.of();
    }
}
