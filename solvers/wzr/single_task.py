"""Single-task optima of the linear shared-module model (WZR Prop. 1).

With capacity ``r >= k`` (the number of tasks) the shared module can hold one
direction per task, so an optimum of the multi-task objective gives every task
its own least-squares solution: no information is transferred. For a task with
fewer samples than dimensions the least-squares solution is not unique; the
minimum-norm one is returned.
"""
import numpy as np
import scipy.linalg

from featreuse.validation import check_task_list, check_task_weights
from .linear_fit import fit_from_module


def single_task_solutions(Xs, ys):
    """Minimum-norm least-squares predictor of every task on its own.

    Parameters
    ----------
    Xs : list of k arrays, shapes (n_i, D)
    ys : list of k arrays, shapes (n_i,)

    Returns
    -------
    ndarray, shape (D, k)
        Column ``i`` is ``pinv(X_i) y_i``.

    Raises
    ------
    InputError, InputTypeError
        Bad arrays or tasks with different D (the message names the task).
    """
    Xs, ys = check_task_list(Xs, ys)
    return np.stack([scipy.linalg.lstsq(X, y)[0] for X, y in zip(Xs, ys)], axis=1)


def single_task_fit(Xs, ys, weights=None):
    """The single-task optimum as a shared-module fit with ``r = k`` (Prop. 1).

    ``B`` spans the k single-task predictors and each head picks its own task's.

    Parameters
    ----------
    Xs, ys : lists of k arrays, shapes (n_i, D) and (n_i,)
    weights : array (k,), optional
        Task weights (they do not change the optimum; they enter the objective).

    Returns
    -------
    SharedModuleFit
        ``method="single_task"``; ``B`` is (D, k).
    """
    Xs, ys = check_task_list(Xs, ys)
    w = check_task_weights(weights, len(Xs))
    W = np.stack([scipy.linalg.lstsq(X, y)[0] for X, y in zip(Xs, ys)], axis=1)
    return fit_from_module(Xs, ys, W, np.eye(len(Xs)), w, "single_task")
