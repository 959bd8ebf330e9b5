"""Input checks of the torch shared-module model (WZR): tasks, capacity, weights, module.

Every error names the argument, and the task when one task is at fault.
"""
import numpy as np

from featreuse.errors import InputError, InputTypeError
from featreuse.validation import as_float_array, check_choice, check_scalar

#: the nonlinearity g of g(X B) A
ACTIVATIONS = ("linear", "relu")


def check_tasks(Xs, ys):
    """Per-task inputs ``Xs[i]`` (n_i, D) and labels ``ys[i]`` (n_i,) sharing D.

    Returns
    -------
    (list of ndarray, list of ndarray)
        float64 copies.

    Raises
    ------
    InputTypeError, InputError
        Not lists, unequal lengths, bad arrays, or a task whose D differs from task 0's.
    """
    if not isinstance(Xs, (list, tuple)) or not isinstance(ys, (list, tuple)):
        raise InputTypeError("Xs and ys must be lists of arrays (one per task)")
    if len(Xs) != len(ys) or not Xs:
        raise InputError(f"Xs and ys must be non-empty lists of equal length, got {len(Xs)} "
                         f"and {len(ys)}")
    out_X, out_y = [], []
    for i, (X, y) in enumerate(zip(Xs, ys)):
        X = as_float_array(X, f"Xs[{i}]", ndim=2)
        y = as_float_array(y, f"ys[{i}]", ndim=1)
        if y.shape[0] != X.shape[0]:
            raise InputError(f"ys[{i}] has {y.shape[0]} entries but Xs[{i}] has {X.shape[0]} rows")
        if out_X and X.shape[1] != out_X[0].shape[1]:
            raise InputError(f"Xs[{i}] has {X.shape[1]} columns, Xs[0] has {out_X[0].shape[1]}: "
                             "all tasks must share the input dimension")
        out_X.append(X)
        out_y.append(y)
    return out_X, out_y


def check_rank(r, name="r"):
    """The capacity ``r``: an integer >= 1."""
    return check_scalar(r, name, low=1, low_inclusive=True, integer=True)


def check_weights(weights, k, name="weights"):
    """Task weights ``alpha`` (k,), each > 0; ``None`` gives ones."""
    if weights is None:
        return np.ones(k)
    w = as_float_array(weights, name, ndim=1)
    if w.shape[0] != k:
        raise InputError(f"{name} has {w.shape[0]} entries but there are {k} tasks")
    bad = np.flatnonzero(w <= 0)
    if bad.size:
        raise InputError(f"{name}[{bad[0]}] must be > 0, got {w[bad[0]]}")
    return w


def check_activation(activation):
    """``"linear"`` or ``"relu"``."""
    return check_choice(activation, ACTIVATIONS, "activation")


def check_module(B, D, name="B"):
    """A shared module (D, r) for inputs with D columns."""
    B = as_float_array(B, name, ndim=2)
    if B.shape[0] != D:
        raise InputError(f"{name} has {B.shape[0]} rows but the inputs have D = {D} columns")
    return B


def check_heads(heads, k, r, name="heads"):
    """Heads (k, r): one row per task."""
    return as_float_array(heads, name, shape=(k, r))


def check_settings(max_iter, tol, starts=1, seed=0):
    """L-BFGS iterations (>= 1), tolerance (> 0), starts (>= 1) and seed (>= 0)."""
    return (check_scalar(max_iter, "max_iter", low=1, low_inclusive=True, integer=True),
            check_scalar(tol, "tol", low=0.0),
            check_scalar(starts, "starts", low=1, low_inclusive=True, integer=True),
            check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True))
