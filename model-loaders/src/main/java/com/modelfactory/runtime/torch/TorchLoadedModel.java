package com.modelfactory.runtime.torch;

import ai.djl.Model;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.torch.TorchScriptSchema.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript module loaded by DJL. Each worker gets its own {@link Predictor} (the DJL rule);
 * every call creates its arrays in a fresh sub-manager of the model's manager and closes it, with the
 * IValues that wrapped them, before returning, so no native memory outlives the call.
 *
 * <p>Calls go through {@link PtSymbolBlock#forward(IValue...)} rather than DJL's NDList Predictor:
 * the NDList path can only pass tensors, and TorchScript forwards also take Python scalars (the
 * pytorch/java-demo model's {@code forward(Tensor data, float incr)}). libtorch runs a module's
 * forward from several threads at once; DJL's own predictors share the block the same way.
 */
final class TorchLoadedModel implements LoadedModel {
    private final Model model;
    private final PtSymbolBlock block;
    private final TorchIo io;
    private final String device;
    private final Map<String, Object> details;

    TorchLoadedModel(Model model, TorchIo io, String device, Map<String, Object> details) {
        this.model = model;
        this.block = (PtSymbolBlock) model.getBlock();
        this.io = io;
        this.device = device;
        this.details = details;
    }

    @Override
    public Signature signature() {
        return io.signature();
    }

    @Override
    public String engine() {
        return "pytorch";
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Map<String, Object> details() {
        return details;
    }

    /**
     * Inputs whose datatype nothing stated take any datatype (FP32 is only what is reported); Python
     * scalar arguments of forward take one value of any numeric type.
     */
    @Override
    public Map<String, InputValidation.Rule> inputRules() {
        Map<String, InputValidation.Rule> rules = new HashMap<>();
        List<TensorSpec> inputs = io.signature().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            String name = inputs.get(i).name();
            if (io.kinds().get(i) != Kind.TENSOR) {
                rules.put(name, InputValidation.Rule.SCALAR);
            } else if (io.typeGuessed().contains(name)) {
                rules.put(name, InputValidation.Rule.ANY_DATATYPE);
            }
        }
        return rules;
    }

    @Override
    public Predictor newPredictor() {
        return new TorchPredictor();
    }

    @Override
    public void close() {
        model.close();
    }

    /** Per worker thread; holds no native state between calls. */
    private final class TorchPredictor implements Predictor {
        @Override
        public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
            List<IValue> ivalues = new ArrayList<>();
            try (PtNDManager call = (PtNDManager) model.getNDManager().newSubManager();
                 PtNDManager host = (PtNDManager) model.getNDManager().newSubManager(ai.djl.Device.cpu())) {
                List<TensorSpec> specs = io.signature().inputs();
                IValue[] args = new IValue[specs.size()];
                for (int i = 0; i < args.length; i++) {
                    String name = specs.get(i).name();
                    args[i] = track(ivalues, argument(call, host, io.kinds().get(i), name, inputs.get(name)));
                }
                IValue result = track(ivalues, block.forward(args));
                return outputs(call, result, ivalues);
            } catch (InvalidInputException | InferenceException e) {
                throw e;
            } catch (RuntimeException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                // TorchScript reports type and shape mismatches of arguments as errors of the call; its
                // messages start with a traceback header and end with the cause.
                if (m.contains("Expected") || m.contains("size mismatch") || m.contains("shape")
                        || m.contains("must match the size") || m.contains("dimension")) {
                    throw new InvalidInputException("the TorchScript model rejected the input: " + Messages.lastLine(m));
                }
                throw new InferenceException("PyTorch failed: " + Messages.lastLine(m), e);
            } finally {
                ivalues.forEach(IValue::close);
            }
        }

        @Override
        public void close() {
            // per-call managers are already closed; the model owns the block
        }
    }

    private static IValue track(List<IValue> all, IValue v) {
        all.add(v);
        return v;
    }

    /** Tensors are filled on the host, then moved to the model's device (a no-op on the CPU). */
    private static IValue argument(PtNDManager call, PtNDManager host, Kind kind, String name, Tensor t) {
        return switch (kind) {
            case TENSOR -> {
                PtNDArray a = DjlTensors.toDjl(host, name, t);
                yield IValue.from(a.getDevice().equals(call.getDevice()) ? a : a.toDevice(call.getDevice(), false));
            }
            case FLOAT -> IValue.from(t.getDouble(0));
            case INT -> IValue.from(t.getLong(0));
            case BOOL -> IValue.from(t.getDouble(0) != 0);
        };
    }

    /**
     * Results by name: a dict by its keys, a tuple or list by position (the signature's output names,
     * output_i beyond them), a single tensor as the first output. The seam picks the signature's outputs.
     */
    private Map<String, Tensor> outputs(PtNDManager call, IValue result, List<IValue> ivalues) {
        List<TensorSpec> specs = io.signature().outputs();
        Map<String, Tensor> produced = new LinkedHashMap<>();
        if (result.isMap()) {
            for (Map.Entry<String, IValue> e : result.toIValueMap().entrySet()) {
                track(ivalues, e.getValue());
                produced.put(e.getKey(), value(call, e.getValue(), e.getKey()));
            }
        } else if (result.isTuple() || result.isList() || result.isTensorList()) {
            IValue[] items = result.isTuple() ? result.toIValueTuple() : result.toIValueArray();
            for (int i = 0; i < items.length; i++) {
                track(ivalues, items[i]);
                String name = i < specs.size() ? specs.get(i).name() : "output_" + i;
                produced.put(name, value(call, items[i], name));
            }
        } else {
            String name = specs.isEmpty() ? "output_0" : specs.get(0).name();
            produced.put(name, value(call, result, name));
        }
        return produced;
    }

    private static Tensor value(PtNDManager call, IValue v, String name) {
        if (v.isTensor()) {
            return DjlTensors.fromDjl(v.toTensor(call));
        }
        if (v.isDouble()) {
            return Tensor.ofDoubles(new long[0], v.toDouble()); // a Python float is a double
        }
        if (v.isLong()) {
            return Tensor.ofLongs(new long[0], v.toLong());
        }
        if (v.isBoolean()) {
            return Tensor.ofLongs(new long[0], v.toBoolean() ? 1 : 0);
        }
        throw new InferenceException("output '" + name + "' is a " + v.getType()
                + "; only tensors and numbers can be returned", null);
    }
}
