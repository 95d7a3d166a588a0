package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageFrame;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.image.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request decoder may use to build the model's input tensors: the signature, and the model's
 * image shaping for front ends that receive encoded images (raw bodies, base64, BYTES tensors).
 */
public final class ModelInputs {
    private final Signature signature;
    private final ImagePreprocessor images;
    private final String imageProblem;
    private final long maxDecodedBytes;

    private final InputBuffers buffers = new InputBuffers();
    private final ThreadLocal<List<ImageFrame>> frames = new ThreadLocal<>();

    /** @param images null when the model cannot take images, and then {@code imageProblem} says why */
    public ModelInputs(Signature signature, ImagePreprocessor images, String imageProblem) {
        this(signature, images, imageProblem, Long.MAX_VALUE);
    }

    /**
     * @param maxDecodedBytes most bytes the decoded images of one request may take: a body of many small
     *                        encoded images must not become gigabytes of tensors (checked before decoding more
     *                        than the first)
     */
    public ModelInputs(Signature signature, ImagePreprocessor images, String imageProblem, long maxDecodedBytes) {
        this.signature = signature;
        this.images = images == null ? null : images.withAllocator(buffers::allocate);
        this.imageProblem = imageProblem;
        this.maxDecodedBytes = maxDecodedBytes;
    }

    /** Where decoded tensors come from: pooled while the serving core decodes a request. */
    InputBuffers buffers() {
        return buffers;
    }

    public Signature signature() {
        return signature;
    }

    public boolean takesImages() {
        return images != null;
    }

    /** How images become the input; null when the model cannot take images. */
    public ImageInput imageSpec() {
        return images == null ? null : images.spec();
    }

    /** Why the model cannot take images; null when it can. */
    public String whyNoImages() {
        return imageProblem;
    }

    /** The input an image goes to; null when the model cannot take images. */
    public String imageInput() {
        return images == null ? null : images.spec().inputName();
    }

    /** One encoded image as a batch-of-one tensor for {@link #imageInput()}. */
    public Tensor image(byte[] encoded) {
        ImagePreprocessor.Framed framed = preprocessor().toFramedTensor(encoded);
        List<ImageFrame> sink = frames.get();
        if (sink != null) {
            sink.add(framed.frame());
        }
        return framed.tensor();
    }

    /**
     * Collects the frames of the images decoded on this thread from now until {@link #endFrames()}: the
     * serving core brackets a request's decoding so its answers can be mapped back to the originals.
     */
    void beginFrames(List<ImageFrame> into) {
        frames.set(into);
    }

    void endFrames() {
        frames.remove();
    }

    /** Several encoded images as one batch, in order. */
    public Tensor images(List<byte[]> encoded) {
        if (encoded.isEmpty()) {
            throw ServingException.badInput("no images in the request");
        }
        if (encoded.size() == 1) {
            return image(encoded.get(0));
        }
        Tensor first = image(encoded.get(0));
        long decoded = (long) first.data().remaining() * encoded.size();
        if (decoded > maxDecodedBytes) {
            throw new ServingException(ServingException.Kind.TOO_LARGE, encoded.size() + " images would decode to "
                    + decoded + " bytes of tensors, over the " + maxDecodedBytes + " bytes one request may take "
                    + "(4 x max_body_bytes); send fewer images per request");
        }
        long[] one = first.shape();
        long[] shape = first.shape();
        shape[0] = encoded.size();
        Tensor batch = buffers.allocate(first.dataType(), shape);
        ByteBuffer out = batch.mutableData();
        out.put(first.data());
        for (int i = 1; i < encoded.size(); i++) {
            Tensor next = image(encoded.get(i));
            if (!Arrays.equals(next.shape(), one)) {
                throw ServingException.badInput("the images of one request must shape to one size: image 0 gives "
                        + Arrays.toString(one) + ", image " + i + " gives " + Arrays.toString(next.shape()));
            }
            out.put(next.data());
        }
        return batch;
    }

    /**
     * Replaces a BYTES tensor given for the image input (one encoded JPEG/PNG/... per batch item, as the
     * binary extension, gRPC and V1 {"b64"} deliver it) by the image tensor, decoded and shaped exactly as
     * /predict does; every other tensor passes through. A client then sends kilobytes of JPEG instead of a
     * float tensor of megabytes.
     */
    public Map<String, Tensor> withEncodedImages(Map<String, Tensor> tensors) {
        String image = imageInput();
        Tensor encoded = image == null ? null : tensors.get(image);
        if (encoded == null || encoded.dataType() != DataType.BYTES) {
            return tensors;
        }
        long[] shape = encoded.shape();
        if (shape.length == 0 || (shape.length == 2 && shape[1] != 1) || shape.length > 2) {
            throw ServingException.badInput("input '" + image + "' as BYTES holds one encoded image per batch item: "
                    + "shape [N] or [N, 1], got " + Arrays.toString(shape));
        }
        Map<String, Tensor> out = new LinkedHashMap<>(tensors);
        out.put(image, images(encoded.bytesElements()));
        return out;
    }

    private ImagePreprocessor preprocessor() {
        if (images == null) {
            throw ServingException.badInput("this model cannot take an image: " + imageProblem);
        }
        return images;
    }
}
