package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageInput;
import com.modelfactory.runtime.image.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a request decoder may use to build the model's input tensors: the signature, and the model's
 * image shaping for front ends that receive encoded images (raw bodies, base64, BYTES tensors).
 */
public final class ModelInputs {
    private final Signature signature;
    private final ImagePreprocessor images;
    private final String imageProblem;

    /** @param images null when the model cannot take images, and then {@code imageProblem} says why */
    public ModelInputs(Signature signature, ImagePreprocessor images, String imageProblem) {
        this.signature = signature;
        this.images = images;
        this.imageProblem = imageProblem;
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
        return preprocessor().toTensor(encoded);
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
        long[] shape = first.shape();
        shape[0] = encoded.size();
        Tensor batch = Tensor.allocate(first.dataType(), shape);
        ByteBuffer out = batch.mutableData();
        out.put(first.data());
        for (int i = 1; i < encoded.size(); i++) {
            out.put(image(encoded.get(i)).data());
        }
        return batch;
    }

    private ImagePreprocessor preprocessor() {
        if (images == null) {
            throw ServingException.badInput("this model cannot take an image: " + imageProblem);
        }
        return images;
    }
}
