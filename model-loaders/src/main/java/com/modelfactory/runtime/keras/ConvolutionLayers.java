package com.modelfactory.runtime.keras;

import static com.modelfactory.runtime.keras.LayerConverter.unary;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Convolutions. Every convolution runs channels_last (NHWC), the layout TF's CPU kernels support:
 * channels_first layers transpose in and out. 1D convolutions run as 2D ones over a height of 1.
 */
final class ConvolutionLayers {
    private ConvolutionLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Conv1D", unary(ConvolutionLayers::conv1d));
        m.put("Conv2D", unary(ConvolutionLayers::conv2d));
        m.put("DepthwiseConv2D", unary(ConvolutionLayers::depthwiseConv2d));
        m.put("SeparableConv2D", unary(ConvolutionLayers::separableConv2d));
        m.put("Conv2DTranspose", unary(ConvolutionLayers::conv2dTranspose));
    }

    static Operand<TFloat32> conv2d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        requireSingleGroup(c);
        boolean cf = c.channelsFirst();
        long[] strides = c.ints("strides", 2, new long[] {1, 1});
        long[] dilation = c.ints("dilation_rate", 2, new long[] {1, 1});
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> y = c.tf.nn.conv2d(in, c.weight(0, "kernel"), LayerContext.list(1, strides[0], strides[1], 1),
                c.tfPadding(), Conv2d.dilations(LayerContext.list(1, dilation[0], dilation[1], 1)));
        return finish(c, y, cf);
    }

    /** Conv1D on [batch, steps, channels] as a Conv2D on [batch, 1, steps, channels]; "causal" pads on the left. */
    static Operand<TFloat32> conv1d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 3);
        requireSingleGroup(c);
        Ops tf = c.tf;
        boolean cf = c.channelsFirst();
        long stride = c.ints("strides", 1, new long[] {1})[0];
        long dilation = c.ints("dilation_rate", 1, new long[] {1})[0];
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> kernel = c.weight(0, "kernel");
        long[] k = LayerContext.dims(kernel);
        String padding = c.string("padding", "valid");
        String tfPadding;
        if ("causal".equals(padding)) {
            long left = (k[0] - 1) * dilation;
            in = tf.pad(in, tf.constant(new int[][] {{0, 0}, {(int) left, 0}, {0, 0}}), c.scalar(0));
            tfPadding = "VALID";
        } else {
            tfPadding = c.tfPadding();
        }
        Operand<TFloat32> in4 = tf.expandDims(in, tf.constant(1));
        Operand<TFloat32> kernel4 = tf.expandDims(kernel, tf.constant(0));
        Operand<TFloat32> y = tf.nn.conv2d(in4, kernel4, LayerContext.list(1, 1, stride, 1), tfPadding,
                Conv2d.dilations(LayerContext.list(1, 1, dilation, 1)));
        y = tf.squeeze(y, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
        return finish(c, y, cf);
    }

    static Operand<TFloat32> depthwiseConv2d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        boolean cf = c.channelsFirst();
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> y = depthwise(c, in, c.weight(0, "depthwise_kernel", "kernel"));
        return finish(c, y, cf);
    }

    /** Depthwise with the layer's strides, padding and dilation, then a 1x1 pointwise convolution. */
    static Operand<TFloat32> separableConv2d(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        boolean cf = c.channelsFirst();
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> d = depthwise(c, in, c.weight(0, "depthwise_kernel"));
        Operand<TFloat32> y = c.tf.nn.conv2d(d, c.weight(1, "pointwise_kernel"), LayerContext.list(1, 1, 1, 1), "VALID");
        return finish(c, y, cf, 2);
    }

    private static Operand<TFloat32> depthwise(LayerContext c, Operand<TFloat32> in, Operand<TFloat32> kernel)
            throws ModelLoadException {
        long[] strides = c.ints("strides", 2, new long[] {1, 1});
        long[] dilation = c.ints("dilation_rate", 2, new long[] {1, 1});
        if (dilation[0] == 1 && dilation[1] == 1) {
            return c.tf.nn.depthwiseConv2dNative(in, kernel, LayerContext.list(1, strides[0], strides[1], 1),
                    c.tfPadding());
        }
        if (strides[0] != 1 || strides[1] != 1) {
            throw c.unsupported("strides > 1 together with dilation_rate > 1");
        }
        // TF's CPU DepthwiseConv2dNative has no dilation: do what tf.nn.depthwise_conv2d does
        // (with_space_to_batch): pad, fold the dilation into the batch, convolve densely, unfold, crop.
        long[] k = LayerContext.dims(kernel);
        long[][] paddings = new long[2][2];
        long[][] crops = new long[2][2];
        for (int i = 0; i < 2; i++) {
            long start = 0;
            long end = 0;
            if ("SAME".equals(c.tfPadding())) {
                long total = (k[i] - 1) * dilation[i];
                start = total / 2;
                end = total - start;
            }
            long full = c.staticDim(in, i + 1) + start + end;
            long extra = (dilation[i] - full % dilation[i]) % dilation[i];
            paddings[i] = new long[] {start, end + extra};
            crops[i] = new long[] {0, extra};
        }
        Ops tf = c.tf;
        Operand<TInt32> block = c.ints(dilation[0], dilation[1]);
        Operand<TFloat32> folded = tf.spaceToBatchNd(in, block, tf.constant(new int[][] {
                {(int) paddings[0][0], (int) paddings[0][1]}, {(int) paddings[1][0], (int) paddings[1][1]}}));
        Operand<TFloat32> conv = tf.nn.depthwiseConv2dNative(folded, kernel, LayerContext.list(1, 1, 1, 1), "VALID");
        return tf.batchToSpaceNd(conv, block, tf.constant(new int[][] {
                {(int) crops[0][0], (int) crops[0][1]}, {(int) crops[1][0], (int) crops[1][1]}}));
    }

    /**
     * The gradient of Conv2D with respect to its input, at the output size Keras computes
     * (conv_utils.deconv_output_length), with the batch taken from the input at run time.
     */
    static Operand<TFloat32> conv2dTranspose(LayerContext c, Operand<TFloat32> x) throws ModelLoadException {
        c.requireRank(x, 4);
        Ops tf = c.tf;
        boolean cf = c.channelsFirst();
        long[] strides = c.ints("strides", 2, new long[] {1, 1});
        long[] dilation = c.ints("dilation_rate", 2, new long[] {1, 1});
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw c.unsupported("dilation_rate " + java.util.Arrays.toString(dilation) + " on a transposed convolution");
        }
        long[] outputPadding = c.has("output_padding") ? c.ints("output_padding", 2, null) : null;
        Operand<TFloat32> in = cf ? c.toChannelsLast(x) : x;
        Operand<TFloat32> kernel = c.weight(0, "kernel");
        long[] k = LayerContext.dims(kernel);
        String padding = c.string("padding", "valid");
        long h = deconvLength(c.staticDim(in, 1), k[0], padding, outputPadding == null ? -1 : outputPadding[0], strides[0]);
        long w = deconvLength(c.staticDim(in, 2), k[1], padding, outputPadding == null ? -1 : outputPadding[1], strides[1]);
        Operand<TInt32> outShape = c.batchShape(in, h, w, k[2]);
        Operand<TFloat32> y = tf.nn.conv2dBackpropInput(outShape, kernel, in, LayerContext.list(1, strides[0], strides[1], 1),
                c.tfPadding());
        return finish(c, y, cf);
    }

    static long deconvLength(long input, long kernel, String padding, long outputPadding, long stride) {
        if (outputPadding < 0) {
            return switch (padding) {
                case "valid" -> input * stride + Math.max(kernel - stride, 0);
                case "same" -> input * stride;
                default -> input * stride - (stride + kernel - 2);
            };
        }
        long pad = switch (padding) {
            case "same" -> kernel / 2;
            case "valid" -> 0;
            default -> kernel - 1;
        };
        return (input - 1) * stride + kernel - 2 * pad + outputPadding;
    }

    private static void requireSingleGroup(LayerContext c) throws ModelLoadException {
        if (c.integer("groups", 1) != 1) {
            throw c.unsupported("groups=" + c.integer("groups", 1));
        }
    }

    private static Operand<TFloat32> finish(LayerContext c, Operand<TFloat32> y, boolean cf) throws ModelLoadException {
        return finish(c, y, cf, 1);
    }

    /** Bias (weight at biasPosition when named weights are absent), back to channels_first, activation. */
    private static Operand<TFloat32> finish(LayerContext c, Operand<TFloat32> y, boolean cf, int biasPosition)
            throws ModelLoadException {
        if (c.bool("use_bias", true)) {
            y = c.tf.nn.biasAdd(y, c.weight(biasPosition, "bias"));
        }
        // Back to channels_first before the activation: softmax works on the last axis of the layer's own layout.
        return c.activation(cf ? c.toChannelsFirst(y) : y);
    }
}
