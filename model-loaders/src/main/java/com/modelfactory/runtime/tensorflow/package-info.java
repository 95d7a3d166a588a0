/**
 * TensorFlow models on TensorFlow Java 1.1.0 (libtensorflow 2.18): SavedModels (TF 1.x and 2.x),
 * frozen GraphDefs and TF1 checkpoints (tf.train.Saver output and TF Serving session bundles). Every
 * format becomes a graph and a session behind {@link com.modelfactory.runtime.tensorflow.TfSessionModel},
 * which the Keras H5 loader also uses for the graphs it builds.
 *
 * <ul>
 *   <li>Natives: TF Java loads libtensorflow through JavaCPP, which unpacks the native jar once into
 *       its cache and reuses it; {@link com.modelfactory.runtime.tensorflow.TfNatives} places that cache
 *       at {@code <native cache>/javacpp} ({@code MODEL_RUNTIME_NATIVE_DIR}, else
 *       ~/.cache/model-runtime/natives) unless {@code -Dorg.bytedeco.javacpp.cachedir} is given.</li>
 *   <li>GPU: the {@code -Dgpu} Maven profile swaps the native classifier to {@code linux-x86_64-gpu};
 *       the session lets TF grow GPU memory (allow_growth) and pins the chosen GPU as the only
 *       visible one. {@code DEVICE=auto} falls back to the CPU when no GPU runs an op;
 *       an explicit {@code DEVICE=cuda} fails start-up.</li>
 *   <li>Inputs and outputs: SavedModel SignatureDef ({@code serving_default} or the configured
 *       {@code signature}); for graphs without one, the configured tensors, else Placeholders and the
 *       tensors nothing else consumes ({@link com.modelfactory.runtime.tensorflow.GraphEndpoints}).</li>
 * </ul>
 */
package com.modelfactory.runtime.tensorflow;
