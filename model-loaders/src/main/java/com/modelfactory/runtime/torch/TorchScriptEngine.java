package com.modelfactory.runtime.torch;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.ModelFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** TorchScript (.pt/.pt1/.pth/.torchscript saved by torch.jit.save) on DJL's PyTorch engine. */
public final class TorchScriptEngine implements com.modelfactory.runtime.engine.Engine {
    private static final Logger log = LoggerFactory.getLogger(TorchScriptEngine.class);
    static final String DJL_ENGINE = "PyTorch";

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public String libraryClass() {
        return "ai.djl.pytorch.engine.PtEngine";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.TORCHSCRIPT);
    }

    @Override
    public LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        Path file = options.modelFile("TorchScript model");
        DjlSetup.prepare(options);
        Engine engine = engine();
        DjlSetup.applyThreads(options);
        ai.djl.Device device = device(engine, options.device());
        Optional<TorchScriptSchema> schema = TorchScriptSchema.read(file);
        TorchIo io = TorchIo.resolve(file, options.declaredInputs(), options.declaredOutputs(), schema);
        Model model = Model.newInstance(file.getFileName().toString(), device, DJL_ENGINE);
        try {
            // mapLocation: tensors saved from a GPU are loaded onto the chosen device, as torch.jit.load(map_location=)
            model.load(file, null, Map.of("mapLocation", "true"));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException("PyTorch could not load TorchScript " + file + ": " + Messages.firstLine(e)
                    + " (is it a torch.jit.save file? a pickled nn.Module or state_dict needs Python)", e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pytorch_version", engine.getVersion());
        details.put("djl_version", Engine.getDjlVersion());
        details.put("path", file.toString());
        details.put("signature_from", io.source());
        schema.ifPresent(s -> details.put("forward", s.args().stream().map(a -> a.name() + ": " + a.type()).toList()
                + " -> " + s.returnType()));
        if (!io.signature().shapesKnown()) {
            details.put("shape", "unknown: TorchScript does not record input shapes; declare them with the"
                    + " 'inputs' config key (name, shape, datatype) or a signature.json beside the model");
        }
        String deviceName = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        log.info("TorchScript {} on {} (PyTorch {}, signature from {}): {}", file.getFileName(), deviceName,
                engine.getVersion(), io.source(), io.signature());
        return new TorchLoadedModel(model, io, deviceName, details);
    }

    private static Engine engine() throws ModelLoadException {
        try {
            return Engine.getEngine(DJL_ENGINE);
        } catch (EngineException | IllegalArgumentException | UnsatisfiedLinkError e) {
            throw new ModelLoadException("the PyTorch engine (DJL " + DJL_ENGINE + ") could not start: "
                    + Messages.firstLine(e) + "; the runtime runs offline, so libtorch must come from the"
                    + " pytorch-native jar or PYTORCH_LIBRARY_PATH", e);
        }
    }

    /** CPU unless CUDA is wanted and libtorch sees the GPU; explicit cuda without one is an error. */
    static ai.djl.Device device(Engine engine, Device wanted) throws ModelLoadException {
        if (!wanted.wantsCuda()) {
            return ai.djl.Device.cpu();
        }
        int gpus = engine.getGpuCount();
        if (gpus > wanted.index()) {
            return ai.djl.Device.gpu(wanted.index());
        }
        String why = gpus == 0 ? "libtorch " + engine.getVersion() + " sees no CUDA device (CPU build or no GPU)"
                : "only " + gpus + " GPU(s) are visible";
        if (wanted.kind() == Device.Kind.CUDA) {
            throw new ModelLoadException("DEVICE=" + wanted + " was requested but " + why
                    + " (use DEVICE=auto or cpu to run on the CPU)");
        }
        log.info("no usable GPU for PyTorch ({}); running on the CPU", why);
        return ai.djl.Device.cpu();
    }
}
