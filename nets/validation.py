"""Input checks shared by the public functions of :mod:`nets`.

Each checker returns a clean value (float64 array, int, float) and raises a
typed error naming the argument when the input is not what was expected.
"""
import numbers

import numpy as np

from .errors import InputError, InputTypeError


def as_float_array(value, name, ndim=None, shape=None):
    """Return ``value`` as a finite float64 ndarray, checking its dimension and shape.

    ``shape`` may contain ``None`` for an axis of any length.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise InputTypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    if hasattr(value, "detach"):          # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(f"{name} must be an array of numbers: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise InputError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None and (arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape))):
        want = tuple("*" if s is None else s for s in shape)
        raise InputError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or inf")
    return arr


def check_scalar(value, name, low=None, high=None, low_inclusive=False, integer=False):
    """Check a real (or integer) scalar, optionally bounded; return it as float (or int)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise InputTypeError(
            f"{name} must be {'an integer' if integer else 'a real number'}, "
            f"got {type(value).__name__}")
    if not np.isfinite(value):
        raise InputError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        raise InputError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value}")
    if high is not None and value > high:
        raise InputError(f"{name} must be <= {high}, got {value}")
    return int(value) if integer else float(value)


def check_choice(value, choices, name):
    """Check that ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value
