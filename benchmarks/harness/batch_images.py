"""Writes N photo-like JPEGs for the batch benchmark (seeded, so every run reads the same files):
smooth colour gradients with blobs and sensor-like noise, 320x240 to 640x480, quality 90 (what a
camera or a dataset export gives, not the model's 224x224). Runs in the legacy venv (Pillow, numpy).

usage: python batch_images.py OUT_DIR N
"""
import os
import sys

import numpy as np
from PIL import Image

SEED = 20261201


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for i in range(n):
        w, h = int(rng.integers(320, 641)), int(rng.integers(240, 481))
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        img = np.empty((h, w, 3), np.float32)
        for c in range(3):
            a, b, phase = rng.uniform(0.002, 0.02, 2).tolist() + [rng.uniform(0, 6.3)]
            img[..., c] = 127 + 100 * np.sin(a * x + b * y + phase)
        for _ in range(4):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 120)
            mask = ((x - cx) ** 2 + (y - cy) ** 2) < r * r
            img[mask] = rng.uniform(0, 255, 3)
        img += rng.normal(0, 6, img.shape)
        name = os.path.join(out, f"{i // 500:02d}", f"img-{i:05d}.jpg")
        os.makedirs(os.path.dirname(name), exist_ok=True)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(name, quality=90)


if __name__ == "__main__":
    main()
