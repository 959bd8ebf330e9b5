"""Argument checks of every public function of featreuse (scikit-learn style).

Each checker returns a clean value (a float64 array, an int, a float) and raises
a typed error (:mod:`featreuse.errors`) naming the argument when the input is not
what was expected. The checks are strict everywhere: strings, complex numbers,
non-numeric objects, ragged sequences and unhashable choices are refused.
"""
import numbers

import numpy as np

from .errors import InputError, InputTypeError


def as_real_array(value, name):
    """Return ``value`` as a float64 ndarray of real numbers (NaN and inf pass).

    A torch tensor is copied to the host first. Raises :class:`InputTypeError`
    naming ``name`` for complex input (numpy would drop the imaginary part), for
    strings, dates and other non-numeric dtypes, for object arrays holding anything
    but real numbers, and for ragged nested sequences.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise InputTypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(f"{name} must be an array of numbers: {exc}") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise InputTypeError(f"{name} must be real, got {arr.dtype}")
    if kind == "O":
        for item in arr.flat:
            if isinstance(item, numbers.Complex) and not isinstance(item, numbers.Real):
                raise InputTypeError(f"{name} must be real, got an entry of type "
                                     f"{type(item).__name__}")
            if not isinstance(item, (numbers.Number, np.bool_)):
                raise InputTypeError(f"{name} must be an array of numbers, got an entry of type "
                                     f"{type(item).__name__}")
    elif kind not in "biuf":
        raise InputTypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    try:
        return np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(f"{name} must be an array of numbers: {exc}") from None


def as_float_array(value, name, ndim=None, shape=None):
    """Return ``value`` as a finite float64 ndarray, checking its dimension and shape.

    The input itself is returned when it already is one (no copy): callers never
    write into a checked array.

    ``shape`` may hold ``None`` for an axis of any length. Non-real or non-numeric
    input raises :class:`InputTypeError` (see :func:`as_real_array`); a wrong
    dimension or shape, an empty array, NaN or inf raise :class:`InputError`.
    """
    arr = as_real_array(value, name)
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


def check_data(X, y, X_name="X", y_name="y"):
    """Check a design matrix ``X`` (n, D) and targets ``y`` (n,); C-contiguous float64 arrays."""
    X = np.ascontiguousarray(as_float_array(X, X_name, ndim=2))
    y = np.ascontiguousarray(as_float_array(y, y_name, ndim=1))
    if y.shape[0] != X.shape[0]:
        raise InputError(
            f"{y_name} has {y.shape[0]} entries but {X_name} has {X.shape[0]} rows (samples)")
    return X, y


def check_task_list(Xs, ys, Xs_name="Xs", ys_name="ys"):
    """Per-task data ``Xs[t]`` (n_t, D) and ``ys[t]`` (n_t,) sharing D; float64 arrays.

    Raises
    ------
    InputTypeError, InputError
        Not lists, unequal lengths, bad arrays, or a task whose D differs from task 0's.
    """
    if not isinstance(Xs, (list, tuple)) or not isinstance(ys, (list, tuple)):
        raise InputTypeError(f"{Xs_name} and {ys_name} must be lists of arrays (one per task)")
    if len(Xs) != len(ys) or len(Xs) == 0:
        raise InputError(
            f"{Xs_name} and {ys_name} must be non-empty lists of equal length, "
            f"got {len(Xs)} and {len(ys)}")
    out_X, out_y = [], []
    for t, (X, y) in enumerate(zip(Xs, ys)):
        X, y = check_data(X, y, f"{Xs_name}[{t}]", f"{ys_name}[{t}]")
        if out_X and X.shape[1] != out_X[0].shape[1]:
            raise InputError(
                f"{Xs_name}[{t}] has {X.shape[1]} columns but {Xs_name}[0] has "
                f"{out_X[0].shape[1]}: all tasks must share the input dimension")
        out_X.append(X)
        out_y.append(y)
    return out_X, out_y


def check_scalar(value, name, low=None, high=None, low_inclusive=False, integer=False):
    """Check a real (or integer) scalar, optionally bounded; return it as a float (or int)."""
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
    """Check that ``value`` is one of ``choices`` (an unhashable value is refused too)."""
    try:
        ok = value in choices
    except TypeError:  # e.g. a list against a set of names
        ok = False
    if not ok:
        raise InputError(f"{name} must be one of {sorted(map(str, choices))}, got {value!r}")
    return value


def check_positive_array(arr, name, allow_zero=True):
    """Check a float array is >= 0 (or > 0)."""
    arr = as_float_array(arr, name)
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        raise InputError(f"{name} must be {'>= 0' if allow_zero else '> 0'} everywhere")
    return arr


def check_rank(r, name="r"):
    """A capacity (number of shared features) ``r``: an integer >= 1."""
    return check_scalar(r, name, low=1, low_inclusive=True, integer=True)


def check_task_weights(weights, k, name="weights"):
    """Per-task weights (k,), each > 0; ``None`` gives ones."""
    if weights is None:
        return np.ones(k)
    w = as_float_array(weights, name, ndim=1)
    if w.shape[0] != k:
        raise InputError(f"{name} has {w.shape[0]} entries but there are {k} tasks")
    bad = np.flatnonzero(w <= 0)
    if bad.size:
        raise InputError(f"{name}[{bad[0]}] must be > 0, got {w[bad[0]]}")
    return w
