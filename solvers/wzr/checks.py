"""The input check only the shared-module closed forms have: tasks sharing one design X.

Task lists, the capacity r and task weights are checked by :mod:`featreuse.validation`
(``check_task_list``, ``check_rank``, ``check_task_weights``). Every error names the
argument, and the task when one task is at fault.
"""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array


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
