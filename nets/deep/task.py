"""One classification task of a deep network: its images, labels and the head outputs it reads.

All tasks of an experiment share one head (LL: a 100-way head on CIFAR-100).
A task reads ``outputs`` of it (the main task: 2 outputs; the auxiliary task:
the other 98); its loss is the cross-entropy of those logits, and its
prediction is their argmax. Labels are positions in ``outputs``.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError, InputTypeError


@dataclass(frozen=True)
class DeepTask:
    """Images, labels and head outputs of one task.

    Attributes
    ----------
    X : ndarray (n, C, H, W), float32
        Model inputs (already normalised).
    y : ndarray (n,), int64
        Labels: indices into ``outputs`` (``0 <= y < len(outputs)``).
    outputs : tuple of int
        Head outputs of the task (distinct).
    """

    X: np.ndarray
    y: np.ndarray
    outputs: tuple

    def __len__(self):
        return len(self.y)


def check_task(task, num_classes, name="task", min_samples=1):
    """Return ``task`` after checking it against a head of ``num_classes`` outputs.

    Raises
    ------
    InputTypeError
        Not a :class:`DeepTask`, or arrays of the wrong dtype kind.
    InputError
        Naming ``name``: wrong shapes, fewer than ``min_samples`` images, labels
        outside ``outputs``, repeated or out-of-range outputs, non-finite images.
    """
    if not isinstance(task, DeepTask):
        raise InputTypeError(f"{name} must be a nets.deep.task.DeepTask, got {type(task).__name__}")
    X, y, outputs = task.X, task.y, task.outputs
    if not isinstance(X, np.ndarray) or X.ndim != 4 or X.dtype != np.float32:
        raise InputError(f"{name}.X must be a float32 array (n, C, H, W), got "
                         f"{getattr(X, 'dtype', type(X).__name__)} {getattr(X, 'shape', '')}")
    if not isinstance(y, np.ndarray) or y.ndim != 1 or y.dtype.kind not in "iu":
        raise InputError(f"{name}.y must be a 1-d integer array, got "
                         f"{getattr(y, 'dtype', type(y).__name__)} {getattr(y, 'shape', '')}")
    if len(y) != len(X):
        raise InputError(f"{name}: X has {len(X)} images but y has {len(y)} labels")
    if len(y) < min_samples:
        raise InputError(f"{name} needs at least {min_samples} images, got {len(y)}")
    outs = list(outputs)
    if not outs or len(set(outs)) != len(outs) or any(
            not isinstance(o, (int, np.integer)) or not 0 <= o < num_classes for o in outs):
        raise InputError(f"{name}.outputs must be distinct head indices in [0, {num_classes}), "
                         f"got {tuple(outputs)!r}")
    if len(y) and (y.min() < 0 or y.max() >= len(outs)):
        raise InputError(f"{name}.y must lie in [0, {len(outs)}) (positions in outputs), "
                         f"got [{y.min()}, {y.max()}]")
    if not np.all(np.isfinite(X)):
        raise InputError(f"{name}.X contains NaN or inf")
    return task
