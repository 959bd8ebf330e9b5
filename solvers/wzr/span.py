"""WZR Prop. 3: the optimal shared module of tasks that share their inputs X.

Tasks ``i = 1..k`` share ``X`` (n, D) of full column rank, ``X = U S V^T`` (thin
SVD, ``U`` (n, D)). For ``B`` fixed, each head is a least-squares fit, and the
objective ``sum_i alpha_i ||X B A_i - y_i||^2`` becomes
``sum_i alpha_i ||y_i||^2 - tr(P_C M)`` with ``C = S V^T B`` and
``M = sum_i alpha_i U^T y_i y_i^T U`` (D, D); ``P_C`` is the projection onto the
span of C. Hence an optimal ``B`` spans ``(X^T X)^{-1} V S Q_r = V S^{-1} Q_r``,
``Q_r`` the top-r eigenvectors of M (the best rank-r approximation
``Q_r Q_r^T`` of M in WZR's statement). In this linear setting every local minimum
is global (WZR), so ALS and gradient training reach this span too.
"""
import numpy as np
import scipy.linalg

from featreuse.errors import InputError
from featreuse.validation import check_rank, check_task_weights
from .checks import check_shared_inputs
from .linear_fit import fit_from_module


def _decompose(X, ys, weights):
    """Checked ``X`` (n, D), labels ``Y`` (n, k), ``alpha`` (k,), thin SVD of X and M."""
    X, Y = check_shared_inputs(X, ys)
    alpha = check_task_weights(weights, Y.shape[1])
    n, D = X.shape
    U, s, Vt = scipy.linalg.svd(X, full_matrices=False)
    tol = s[0] * max(n, D) * np.finfo(float).eps if s.size else 0.0
    rank = int(np.sum(s > tol))
    if rank < D:
        raise InputError(f"X has rank {rank} < D = {D} (n = {n}): X^T X is singular, and "
                         "Prop. 3's closed form needs full column rank")
    P = U.T @ Y                            # (D, k): column i is U^T y_i
    M = (P * alpha) @ P.T
    return X, Y, alpha, U, s, Vt, M


def shared_span_matrix(X, ys, weights=None):
    """WZR's ``M = sum_i alpha_i U^T y_i y_i^T U`` for tasks sharing X.

    Parameters
    ----------
    X : array, shape (n, D)
        Shared inputs, full column rank (n >= D).
    ys : list of k arrays, shape (n,)
    weights : array (k,), optional
        ``alpha_i > 0`` (default ones).

    Returns
    -------
    ndarray, shape (D, D)

    Raises
    ------
    InputError
        ``X`` rank-deficient (``X^T X`` singular, e.g. n < D), label vectors whose
        length differs from n (the message names the task), bad weights.
    """
    return _decompose(X, ys, weights)[-1]


def optimal_shared_span(X, ys, r, weights=None):
    """The optimal linear shared module of tasks sharing X, and its heads (WZR Prop. 3).

    Parameters
    ----------
    X : array, shape (n, D)
        Shared inputs of full column rank.
    ys : list of k arrays, shape (n,)
        Labels of each task.
    r : int >= 1
        Capacity (columns of B). With ``r >= k`` every task gets its single-task fit.
    weights : array (k,), optional
        Task weights ``alpha_i > 0``.

    Returns
    -------
    SharedModuleFit
        ``method="closed_form"``; ``B`` (D, min(r, D)) with orthonormal columns spanning
        ``V S^{-1} Q_r``, heads the least-squares fits on ``X B``.

    Raises
    ------
    InputError, InputTypeError
        Singular ``X^T X``, ``r <= 0``, bad labels or weights.
    """
    r = check_rank(r)
    X, Y, alpha, U, s, Vt, M = _decompose(X, ys, weights)
    r = min(r, X.shape[1])
    Q_r = scipy.linalg.eigh(M)[1][:, ::-1][:, :r]   # top-r eigenvectors of M
    B = Vt.T @ (Q_r / s[:, None])                   # V S^{-1} Q_r
    heads = scipy.linalg.lstsq(X @ B, Y)[0].T       # (k, r)
    k = Y.shape[1]
    return fit_from_module([X] * k, list(Y.T), B, heads, alpha, "closed_form")


def optimal_objective(X, ys, r, weights=None):
    """The minimum of ``sum_i alpha_i ||X B A_i - y_i||^2`` over B (D, r) and the heads.

    Equals ``sum_i alpha_i ||y_i||^2`` minus the sum of the r largest eigenvalues of M
    (see the module docstring).

    Returns
    -------
    float
    """
    r = check_rank(r)
    X, Y, alpha, U, s, Vt, M = _decompose(X, ys, weights)
    evals = np.sort(scipy.linalg.eigvalsh(M))[::-1]
    return float(np.dot(alpha, np.sum(Y ** 2, axis=0)) - np.sum(evals[:r]))
