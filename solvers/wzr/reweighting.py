"""WZR Algorithm 2: SVD-based task weights for tasks that share their inputs X.

``theta_i = X^T y_i`` (D,); ``U_r`` (D, r) the top-r left singular vectors of
``[theta_1 ... theta_k]``; ``alpha_i = ||theta_i^T U_r||``. A task whose labels are
partly random has less of its ``theta_i`` in the subspace the tasks share, so it
is down-weighted. The weights are normalised here to mean 1 (the optimum of the
weighted objective does not depend on a common factor).
"""
import numpy as np
import scipy.linalg

from featreuse.errors import InputError
from featreuse.validation import check_rank
from .checks import check_shared_inputs


def svd_task_weights(X, ys, r):
    """Task weights of WZR Algorithm 2, normalised to mean 1.

    Parameters
    ----------
    X : array, shape (n, D)
        Inputs shared by the tasks.
    ys : list of k arrays, shape (n,)
        Labels of each task.
    r : int, 1 <= r <= k
        Rank of the shared subspace of the ``theta_i``.

    Returns
    -------
    ndarray, shape (k,)
        ``alpha_i = ||theta_i^T U_r||`` divided by their mean.

    Raises
    ------
    InputError, InputTypeError
        Label vectors whose length differs from n (named), ``r`` outside [1, k], or
        every ``theta_i`` zero.
    """
    X, Y = check_shared_inputs(X, ys)
    r = check_rank(r)
    k = Y.shape[1]
    if r > k:
        raise InputError(f"r must be <= the number of tasks ({k}), got {r}")
    Theta = X.T @ Y                                   # (D, k)
    U_r = scipy.linalg.svd(Theta, full_matrices=False)[0][:, :r]
    alpha = np.linalg.norm(Theta.T @ U_r, axis=1)
    if alpha.sum() == 0:
        raise InputError("every theta_i = X^T y_i is zero: the tasks carry no signal to weigh")
    return alpha / alpha.mean()
