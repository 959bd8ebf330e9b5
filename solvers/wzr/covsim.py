"""WZR's covariance similarity score of two tasks' inputs (section 3.2, docs/wzr.md).

For task i with inputs ``X_i`` (n_i, D), keep the top ``r_i`` eigenpairs
``(U_{r_i}, D_{r_i})`` of ``X_i^T X_i`` whose eigenvalues cover a fraction
``coverage`` of its trace (WZR use 99%), ``F_i = U_{r_i} D_{r_i}^{1/2}`` (D, r_i), and

    CovSim(X_1, X_2) = ||F_1^T F_2||_F / (||F_1||_F ||F_2||_F)  in [0, 1].

With full coverage ``F_i F_i^T = X_i^T X_i``, so the score is
``sqrt(tr(S_1 S_2) / (tr S_1 tr S_2))`` with ``S_i = X_i^T X_i``. It is a relative
score: identical inputs score ``||lambda||_2 / ||lambda||_1`` (lambda the kept
eigenvalues), 1 only for rank-one covariances, ``1/sqrt(d)`` for isotropic inputs in
d dimensions (about 0.22 for d = 20); inputs on orthogonal subspaces score 0.
It is unchanged by rotations of the samples (``X_i -> O X_i``), by a common
rotation of the features (``X_i -> X_i O`` for both) and by rescaling either task.
"""
import numpy as np
import scipy.linalg

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar


def _check_coverage(coverage):
    return check_scalar(coverage, "coverage", low=0.0, high=1.0)


def covariance_factor(X, coverage=0.99, name="X"):
    """``F = U_r D_r^{1/2}`` of ``X^T X``: the top eigenpairs covering ``coverage`` of the trace.

    Parameters
    ----------
    X : array, shape (n, D)
    coverage : float in (0, 1]
        The smallest r whose eigenvalues sum to at least ``coverage`` times the trace.
    name : str
        Name of ``X`` in error messages.

    Returns
    -------
    ndarray, shape (D, r)
        Columns: eigenvectors of ``X^T X`` scaled by the square roots of their eigenvalues
        (the right singular vectors of X times its singular values).

    Raises
    ------
    InputError
        Bad array, ``coverage`` outside (0, 1], or ``X`` = 0 (no covariance).
    """
    X = as_float_array(X, name, ndim=2)
    coverage = _check_coverage(coverage)
    s, Vt = scipy.linalg.svd(X, full_matrices=False)[1:]
    energy = s ** 2
    if energy.sum() == 0:
        raise InputError(f"{name} is zero: it has no covariance to compare")
    frac = np.cumsum(energy) / energy.sum()
    # the rounding slack keeps coverage = 1 from dropping the last eigenvalue
    r = min(int(np.searchsorted(frac, coverage - 1e-12)) + 1, len(s))
    return Vt[:r].T * s[:r]


def covariance_similarity(X1, X2, coverage=0.99):
    """WZR's covariance similarity score of two tasks' inputs, in [0, 1].

    Parameters
    ----------
    X1 : array, shape (n_1, D)
    X2 : array, shape (n_2, D)
    coverage : float in (0, 1]
        Fraction of each trace kept (WZR: 0.99).

    Returns
    -------
    float

    Raises
    ------
    InputError
        ``X2`` with a different number of columns than ``X1``, a zero input, bad coverage.
    """
    return float(covariance_similarity_matrix([X1, X2], coverage, names=("X1", "X2"))[0, 1])


def covariance_similarity_matrix(Xs, coverage=0.99, names=None):
    """Scores of every pair of tasks: a symmetric (k, k) matrix.

    Parameters
    ----------
    Xs : list of k arrays, shapes (n_i, D)
    coverage : float in (0, 1]
    names : sequence of str, optional
        Names of the tasks in error messages (default ``Xs[i]``).

    Returns
    -------
    ndarray, shape (k, k)
        Entry (i, j) is ``CovSim(X_i, X_j)``; the diagonal is each task with itself.

    Raises
    ------
    InputError
        A task whose D differs from the first task's (named), zero inputs, bad coverage.
    """
    if not isinstance(Xs, (list, tuple)) or not Xs:
        raise InputError("Xs must be a non-empty list of input matrices (one per task)")
    names = names or [f"Xs[{i}]" for i in range(len(Xs))]
    Fs = []
    for name, X in zip(names, Xs):
        F = covariance_factor(X, coverage, name)
        if Fs and F.shape[0] != Fs[0].shape[0]:
            raise InputError(f"{name} has {F.shape[0]} columns, {names[0]} has "
                             f"{Fs[0].shape[0]}: tasks must share the input dimension")
        Fs.append(F)
    k = len(Fs)
    norms = [np.linalg.norm(F) for F in Fs]
    S = np.eye(k)
    for i in range(k):
        for j in range(i, k):
            S[i, j] = S[j, i] = np.linalg.norm(Fs[i].T @ Fs[j]) / (norms[i] * norms[j])
    return S
