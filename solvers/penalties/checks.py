"""Argument checks and the feature-axis sum shared by the penalties."""
import numbers

import numpy as np

from featreuse.errors import InputError, InputTypeError
from featreuse.validation import as_float_array, as_real_array


def real_array(z, name):
    """``z`` as a float array of real numbers (a complex scalar is refused)."""
    if isinstance(z, numbers.Number) and not isinstance(z, numbers.Real):
        raise InputTypeError(f"{name} must be real, got {type(z).__name__}")
    return as_float_array(z, name)


def log_array(v, name):
    """A log of a value >= 0: real, finite or -inf."""
    arr = as_real_array(v, name)
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise InputError(f"{name} must be finite or -inf (log of a value >= 0)")
    return arr


def check_broadcast(*arrays):
    """InputError unless the arrays' shapes broadcast together."""
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise InputError(
            "shapes do not broadcast: " + ", ".join(str(a.shape) for a in arrays)) from None


def reduce_terms(terms, reduce):
    """Sum per-feature ``terms`` over the last axis when ``reduce`` (a 0-d result is a float)."""
    out = np.sum(terms, axis=-1) if (reduce and terms.ndim > 0) else terms
    out = np.asarray(out)
    return out[()] if out.ndim == 0 else out
