"""A labelled image data set with a train and a test split, and its model inputs.

Both sources (:mod:`.cifar`: the CIFAR-100 python folder; :mod:`.digits`: the
built-in digits) give an :class:`ImageData` of integer pixels (N, C, H, W);
:func:`model_inputs` turns pixels into LL's inputs: ``x / max_value`` in
[0, 1], normalised with mean = std = 0.5 per channel, i.e. in [-1, 1].
"""
from dataclasses import dataclass

import numpy as np

#: per-channel mean and standard deviation of LL's normalisation
MEAN = STD = 0.5


@dataclass(frozen=True)
class ImageData:
    """Images and labels of a data set.

    Attributes
    ----------
    source : str
        ``"digits"`` or the CIFAR-100 folder.
    train_x, test_x : ndarray (N, C, H, W), uint8
        Pixels.
    train_y, test_y : ndarray (N,), int64
        Class ids in ``[0, len(class_names))``.
    class_names : tuple of str
    max_value : int
        Pixel value of full intensity (CIFAR: 255; digits: 16).
    """

    source: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    class_names: tuple
    max_value: int

    @property
    def num_classes(self):
        """Classes (= outputs of the one head)."""
        return len(self.class_names)

    def counts(self, split):
        """Images per class of ``split`` (``"train"`` or ``"test"``): int array (classes,)."""
        y = self.train_y if split == "train" else self.test_y
        return np.bincount(y, minlength=self.num_classes)


def model_inputs(pixels, max_value):
    """Float32 model inputs ``(pixels / max_value - MEAN) / STD`` (same shape), in [-1, 1]."""
    return ((pixels.astype(np.float32) / np.float32(max_value) - MEAN) / STD).astype(np.float32)
