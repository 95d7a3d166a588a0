"""Helpers of the legacy service (LEGACY.md: local_utilities.py), rebuilt for the baseline."""
import io
import re

import numpy as np
from PIL import Image


def universal_image_process(data, input_shape, channels_first):
    """Turns the image bytes a user sent into the model's input: one batch of float32 in [0, 1].

    input_shape is the per-item shape without the batch dimension: (C, H, W) when channels_first,
    else (H, W, C).
    """
    if channels_first:
        channels, height, width = input_shape
    else:
        height, width, channels = input_shape
    image = Image.open(io.BytesIO(data))
    image = image.convert("L" if channels == 1 else "RGB")
    if image.size != (width, height):
        image = image.resize((width, height), Image.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / 255.0
    if channels == 1:
        array = array[:, :, None]
    if channels_first:
        array = array.transpose(2, 0, 1)
    return np.ascontiguousarray(array[None, ...])


def h5_input_shape(path):
    """Reads the input shape out of an H5 file's serialised model config, by regex as the legacy did."""
    import h5py

    with h5py.File(path, "r") as f:
        config = f.attrs.get("model_config")
    if isinstance(config, bytes):
        config = config.decode("utf-8")
    match = re.search(r'"batch_(?:input_)?shape":\s*\[\s*null\s*,([^\]]*)\]', config or "")
    if not match:
        raise ValueError("no input shape in the H5 model config of " + path)
    return tuple(int(d) for d in match.group(1).split(","))
