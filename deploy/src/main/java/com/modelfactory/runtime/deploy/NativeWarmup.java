package com.modelfactory.runtime.deploy;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engine;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.NativeCache;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Image-build step: unpacks and loads every engine's native libraries once, so the image carries them
 * and a container start does not extract hundreds of megabytes. Run with the runtime's class path:
 * {@code java -cp 'lib/*' com.modelfactory.runtime.deploy.NativeWarmup [--device cpu|cuda] [--native-dir DIR]
 * [--lenient]}. Exits 1 when a library set fails to load, unless {@code --lenient} (GPU builds on a
 * machine without a driver, where CUDA libraries may refuse to load although they are in place).
 */
public final class NativeWarmup {

    /** One library set that was prepared, or why it could not be. */
    public record Outcome(String name, boolean ok, String detail) {
    }

    private NativeWarmup() {
    }

    public static void main(String[] args) {
        Device device = Device.CPU;
        Path nativeDir = NativeCache.defaultRoot();
        boolean lenient = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = Device.parse(value(args, ++i, "--device"));
                case "--native-dir" -> nativeDir = Path.of(value(args, ++i, "--native-dir"));
                case "--lenient" -> lenient = true;
                default -> usage("unknown argument " + args[i]);
            }
        }
        List<Outcome> outcomes = prepare(device, nativeDir);
        boolean failed = false;
        for (Outcome o : outcomes) {
            System.out.println((o.ok() ? "prepared " : "FAILED   ") + o.name() + ": " + o.detail());
            failed |= !o.ok();
        }
        System.exit(failed && !lenient ? 1 : 0);
    }

    /** Prepares the engines found on the class path, then the DJL and TensorFlow Java libraries. */
    public static List<Outcome> prepare(Device device, Path nativeDir) {
        List<Outcome> outcomes = new ArrayList<>(prepareEngines(device, nativeDir));
        outcomes.addAll(prepareLibraries());
        outcomes.add(prepareJnaDispatch(nativeDir));
        return outcomes;
    }

    /** Asks every engine on the class path (through the seam) to extract its natives into nativeDir. */
    public static List<Outcome> prepareEngines(Device device, Path nativeDir) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Engine engine : Engines.available()) {
            try {
                engine.prepareNatives(device, nativeDir);
                outcomes.add(new Outcome("engine " + engine.name(), true, "natives under " + nativeDir));
            } catch (ModelLoadException | RuntimeException | LinkageError e) {
                outcomes.add(new Outcome("engine " + engine.name(), false, String.valueOf(e.getMessage())));
            }
        }
        return outcomes;
    }

    /**
     * Loads libtorch through DJL and TensorFlow through JavaCPP, which unpack into their own caches
     * (DJL_CACHE_DIR, org.bytedeco.javacpp.cachedir) until their engines implement prepareNatives.
     */
    public static List<Outcome> prepareLibraries() {
        List<Outcome> outcomes = new ArrayList<>();
        // DJL unpacks libtorch into DJL_CACHE_DIR (or downloads the PYTORCH_FLAVOR build there when
        // ai.djl.offline=false); JavaCPP unpacks TensorFlow into org.bytedeco.javacpp.cachedir.
        outcomes.add(Engines.present("ai.djl.pytorch.engine.PtEngine") ? attempt("libtorch (DJL)", () -> {
            ai.djl.engine.Engine torch = ai.djl.engine.Engine.getEngine("PyTorch");
            return "PyTorch " + torch.getVersion() + ", GPUs visible: " + torch.getGpuCount();
        }) : new Outcome("libtorch (DJL)", true, "left out of this build"));
        outcomes.add(Engines.present("org.tensorflow.TensorFlow")
                ? attempt("TensorFlow", () -> "TensorFlow " + org.tensorflow.TensorFlow.version())
                : new Outcome("TensorFlow", true, "left out of this build"));
        return outcomes;
    }

    /**
     * Copies JNA's dispatch library (JNA binds libjpeg-turbo, the JPEG decoder) out of its jar into
     * nativeDir/jna, where the image's entrypoint points jna.boot.library.path: JNA otherwise unpacks it
     * into the temp folder at every start, which a read-only root without a /tmp mount does not have.
     */
    public static Outcome prepareJnaDispatch(Path nativeDir) {
        return attempt("JNA dispatch", () -> {
            String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
            Path target = nativeDir.resolve("jna").resolve("libjnidispatch.so");
            byte[] library;
            try (InputStream in = NativeWarmup.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new FileNotFoundException(resource + " not in the JNA jar");
                }
                library = in.readAllBytes();
            }
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), library)) {
                return "JNA " + Native.VERSION + " dispatch already at " + target; // baked: read-only
            }
            Files.createDirectories(target.getParent());
            Files.write(target, library);
            return "JNA " + Native.VERSION + " dispatch at " + target;
        });
    }

    private interface Step {
        String run() throws Exception;
    }

    private static Outcome attempt(String name, Step step) {
        try {
            return new Outcome(name, true, step.run());
        } catch (Exception | LinkageError e) {
            return new Outcome(name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: NativeWarmup [--device cpu|cuda[:N]] [--native-dir DIR] [--lenient]");
        System.exit(2);
    }
}
