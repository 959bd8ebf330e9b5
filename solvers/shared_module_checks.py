"""Input checks of the shared-module solvers (WZR): task lists, capacity r, task weights.

Every error names the argument, and the task when one task is at fault.
"""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar, check_task_list


def check_tasks(Xs, ys):
    """Per-task data ``Xs[i]`` (n_i, D), ``ys[i]`` (n_i,) sharing D; float64 copies.

    Raises
    ------
    InputTypeError, InputError
        Not lists, unequal lengths, bad arrays, or a task whose D differs from task 0's.
    """
    return check_task_list(Xs, ys, "Xs", "ys")


def check_rank(r, name="r"):
    """The capacity ``r``: an integer >= 1."""
    return int(check_scalar(r, name, low=1, low_inclusive=True, integer=True))


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


def check_shared_inputs(X, ys, X_name="X", ys_name="ys"):
    """One design ``X`` (n, D) shared by every task and labels ``ys[i]`` (n,).

    Returns
    -------
    X : ndarray, shape (n, D)
    Y : ndarray, shape (n, k)
        The labels as columns.
    """
    X = np.ascontiguousarray(as_float_array(X, X_name, ndim=2))
    if not isinstance(ys, (list, tuple)) or not ys:
        raise InputError(f"{ys_name} must be a non-empty list of label vectors (one per task)")
    cols = []
    for i, y in enumerate(ys):
        y = as_float_array(y, f"{ys_name}[{i}]", ndim=1)
        if y.shape[0] != X.shape[0]:
            raise InputError(f"{ys_name}[{i}] has {y.shape[0]} entries but {X_name} has "
                             f"{X.shape[0]} rows: tasks sharing X need one label per row")
        cols.append(y)
    return X, np.stack(cols, axis=1)
