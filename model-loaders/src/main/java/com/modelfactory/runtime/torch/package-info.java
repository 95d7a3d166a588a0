/**
 * TorchScript models on DJL's PyTorch engine (DJL 0.35.1, libtorch 2.7.1).
 *
 * <h2>Offline natives</h2>
 * The CPU build ships libtorch in {@code ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64} and
 * the JNI glue in {@code pytorch-jni:2.7.1-0.35.1}; {@link com.modelfactory.runtime.torch.DjlSetup}
 * switches DJL to offline mode and tracking off, and points its cache (where it unpacks those jars
 * once per installation) at the configured {@code DJL_CACHE_DIR}, else {@code <native cache>/djl}
 * (both come from the server's configuration; an {@code ENGINE_CACHE_DIR} in the environment, which
 * DJL reads itself, still wins).
 *
 * <h2>GPU image: the CUDA flavour of libtorch</h2>
 * DJL's CUDA builds ({@code pytorch-native-cu*} 2.7.1) are not on Maven Central, so the GPU image
 * does not get libtorch from Maven. The {@code -Dgpu} build leaves the CPU natives jar out, and the
 * image provides a CUDA libtorch 2.7.1 at build time (e.g. the {@code torch/lib} folder of the
 * torch 2.7.1+cu12x wheel, or the libtorch cxx11-abi zip) and points DJL at it:
 * <pre>
 *   PYTORCH_LIBRARY_PATH=/opt/libtorch/lib   # folder holding libtorch.so, libc10_cuda.so, ...
 *   PYTORCH_VERSION=2.7.1                    # must match pytorch-jni 2.7.1-0.35.1
 *   PYTORCH_FLAVOR=cu128                     # the CUDA flavour of that libtorch
 *   ai.djl.offline=true                      # never download at start
 * </pre>
 * With {@code PYTORCH_LIBRARY_PATH} set DJL loads libtorch from there and only extracts the small
 * JNI library into its cache. {@code DEVICE=cuda} then fails at start-up if no GPU is visible;
 * {@code DEVICE=auto} falls back to the CPU. This path cannot be exercised on the CPU-only build
 * machine; {@code TorchScriptEngine} logs the flavour and device DJL reports so it can be checked in
 * the image.
 */
package com.modelfactory.runtime.torch;
