"""The built-in data set: scikit-learn's bundled handwritten digits (no download).

1797 grey 8 x 8 images of 10 classes (174 to 183 per class), pixels 0..16,
read from the file scikit-learn ships (``sklearn/datasets/data/digits.csv.gz``,
what ``sklearn.datasets.load_digits`` reads) without importing scikit-learn,
whose import takes seconds.
To feed the CIFAR-sized networks unchanged, each image is upsampled 4x by
pixel repetition (nearest neighbour) to 32 x 32 and copied into the 3 colour
channels. Split: the first :data:`TRAIN_PER_CLASS` images of each class (in
the file's order) train, the remaining 46 to 55 test. With 2 main classes the
main task's training pool is 256 images (CIFAR-100: 1000) and the auxiliary
task has 8 x 128 = 1024 images (CIFAR-100: 49,000).
"""
import functools
import importlib.util
import os

import numpy as np

from featreuse.errors import InputError

from .images import ImageData

TRAIN_PER_CLASS = 128
#: upsampling factor: 8 x 8 -> 32 x 32
UPSAMPLE = 4


def digits_file():
    """Path of scikit-learn's ``digits.csv.gz`` (rows: 64 pixels, then the class)."""
    spec = importlib.util.find_spec("sklearn")
    path = spec and os.path.join(spec.submodule_search_locations[0], "datasets", "data",
                                 "digits.csv.gz")
    if not path or not os.path.isfile(path):
        raise InputError("data: 'digits' needs scikit-learn's bundled digits.csv.gz "
                         "(pip install scikit-learn)")
    return path


@functools.lru_cache(maxsize=1)
def load_digits():
    """The digits as an :class:`ImageData` of (N, 3, 32, 32) uint8 pixels in 0..16 (cached)."""
    raw = np.loadtxt(digits_file(), delimiter=",", dtype=np.int64)     # (1797, 65)
    images = raw[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    images = images.repeat(UPSAMPLE, axis=1).repeat(UPSAMPLE, axis=2)  # (1797, 32, 32)
    images = np.repeat(images[:, None], 3, axis=1)                     # (1797, 3, 32, 32)
    labels = raw[:, 64]
    train = np.zeros(len(labels), dtype=bool)
    for c in range(10):
        train[np.flatnonzero(labels == c)[:TRAIN_PER_CLASS]] = True
    return ImageData(source="digits", train_x=images[train], train_y=labels[train],
                     test_x=images[~train], test_y=labels[~train],
                     class_names=tuple(str(c) for c in range(10)), max_value=16)
