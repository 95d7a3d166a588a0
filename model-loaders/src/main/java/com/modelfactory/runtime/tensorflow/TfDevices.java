package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.ModelLoadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Chooses CPU or GPU for TensorFlow and builds the session configuration. TF Java has no public
 * device listing, so a GPU counts as usable when a one-op graph pinned to it runs with soft placement
 * off; the CPU build of libtensorflow has no GPU device and fails that probe.
 */
final class TfDevices {
    private static final Logger log = LoggerFactory.getLogger(TfDevices.class);

    /** The session configuration to load with and the device it puts the model on ("cpu", "cuda:0"). */
    record Choice(ConfigProto config, String device) {
    }

    private TfDevices() {
    }

    static Choice choose(LoadOptions options) throws ModelLoadException {
        Device wanted = options.device();
        String gpuProblem = null;
        if (wanted.wantsCuda()) {
            gpuProblem = probeGpu(wanted.index());
            if (gpuProblem == null) {
                return new Choice(config(options, wanted.index()), "cuda:" + wanted.index());
            }
            if (wanted.kind() == Device.Kind.CUDA) {
                throw new ModelLoadException("DEVICE=" + wanted + " was requested but TensorFlow cannot use GPU "
                        + wanted.index() + ": " + gpuProblem + " (use DEVICE=auto or cpu to run on the CPU)");
            }
            log.info("no usable GPU for TensorFlow ({}); running on the CPU", gpuProblem);
        }
        return new Choice(config(options, -1), "cpu");
    }

    /** Session config: thread pools from the options; on GPU, grow memory instead of taking it all. */
    static ConfigProto config(LoadOptions options, int gpuIndex) {
        ConfigProto.Builder b = ConfigProto.newBuilder().setAllowSoftPlacement(true);
        if (options.intraOpThreads() > 0) {
            b.setIntraOpParallelismThreads(options.intraOpThreads());
        }
        if (options.interOpThreads() > 0) {
            b.setInterOpParallelismThreads(options.interOpThreads());
        }
        GPUOptions.Builder gpu = GPUOptions.newBuilder().setAllowGrowth(true);
        if (gpuIndex >= 0) {
            gpu.setVisibleDeviceList(Integer.toString(gpuIndex));
        } else {
            b.putDeviceCount("GPU", 0);
        }
        return b.setGpuOptions(gpu).build();
    }

    /**
     * Null when GPU {@code index} runs an op, else why not. The probe uses the same visible-device list
     * as the model's session: TF fixes GPU visibility for the whole process at the first session.
     */
    static String probeGpu(int index) {
        ConfigProto cfg = ConfigProto.newBuilder().setAllowSoftPlacement(false)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true)
                        .setVisibleDeviceList(Integer.toString(index))).build();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g).withDevice(org.tensorflow.DeviceSpec.newBuilder()
                    .deviceType(org.tensorflow.DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
            var c = tf.withName("gpu_probe").identity(tf.constant(1f));
            try (Session s = new Session(g, cfg)) {
                s.runner().fetch(c).run().close();
                return null;
            }
        } catch (RuntimeException | LinkageError e) {
            return Messages.firstLine(e);
        }
    }
}
