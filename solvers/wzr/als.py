"""Alternating least squares for the linear shared-module model (WZR section 2), several starts.

Minimises ``f(B, A) = sum_i alpha_i ||X_i B A_i - y_i||^2`` over the shared module
``B`` (D, r) and heads ``A_i`` (r,) when the tasks have their own inputs ``X_i``
(for tasks sharing X the optimum is :func:`featreuse.solvers.wzr.span.optimal_shared_span`).
Each half-step is an exact least-squares solve, so ``f`` never increases:

* heads: ``A_i = argmin ||X_i B A_i - y_i||^2`` (r unknowns per task);
* module: ``sum_i alpha_i G_i B A_i A_i^T = sum_i alpha_i c_i A_i^T`` with
  ``G_i = X_i^T X_i``, ``c_i = X_i^T y_i``: a (D r)-dimensional linear system in
  ``vec(B)``, ``(sum_i alpha_i A_i A_i^T (x) G_i) vec(B) = vec(sum_i alpha_i c_i A_i^T)``.

Singular systems take their minimum-norm solution. The problem is non-convex when
the X_i differ, and ALS can creep for thousands of sweeps along a valley towards a
point that is not a minimum: a head shrinking to 0 (that task ignored) or a head
growing without bound (docs/wzr.md). A single start can end in such a valley, far
from the optimum in the tasks' errors. Hence several starts, each stopped after
``max_iter`` sweeps, keeping the lowest objective. The first start is spectral (the
top-r left singular vectors of the weighted single-task solutions) unless
``spectral_start=False``. Random starts draw the heads, not the module: from a
random module a task with few samples gets a large least-squares head, captures the
module and leaves the start in the valley where the other tasks are ignored.
"""
import numpy as np
import scipy.linalg

from featreuse.validation import check_rank, check_task_list, check_task_weights
from .linear_fit import fit_from_module
from featreuse.validation import check_scalar


def _solve_psd(H, g):
    """Solve ``H x = g`` for symmetric PSD H; minimum-norm least squares if H is (near) singular."""
    try:
        c, low = scipy.linalg.cho_factor(H, check_finite=False)
        pivots = np.abs(np.diag(c))
        if pivots.min() ** 2 > 1e-12 * pivots.max() ** 2:
            return scipy.linalg.cho_solve((c, low), g, check_finite=False)
    except np.linalg.LinAlgError:
        pass
    return scipy.linalg.lstsq(H, g)[0]


class _Grams:
    """Per-task Gram data: ``G_i = X_i^T X_i`` (D, D), ``c_i = X_i^T y_i`` (D,), ``||y_i||^2``."""

    def __init__(self, Xs, ys, alpha):
        self.G = np.stack([X.T @ X for X in Xs])            # (k, D, D)
        self.c = np.stack([X.T @ y for X, y in zip(Xs, ys)])  # (k, D)
        self.yy = np.array([y @ y for y in ys])
        self.alpha = alpha
        self.D = self.G.shape[1]

    def heads(self, B):
        """Least-squares heads (k, r) for the module B (D, r); minimum-norm when singular."""
        BtGB = B.T @ np.matmul(self.G, B)                    # (k, r, r)
        Btc = self.c @ B                                     # (k, r)
        return np.array([np.linalg.lstsq(M, b, rcond=None)[0] for M, b in zip(BtGB, Btc)])

    def module(self, A):
        """Least-squares module (D, r) for the heads A (k, r)."""
        r = A.shape[1]
        # H[(p, d), (q, e)] = sum_i alpha_i a_ip a_iq G_i[d, e]: (A_i A_i^T) kron G_i
        AA = self.alpha[:, None, None] * A[:, :, None] * A[:, None, :]     # (k, r, r)
        H = np.tensordot(AA, self.G, axes=(0, 0)).transpose(0, 2, 1, 3)   # (r, D, r, D)
        g = (self.alpha[:, None] * A).T @ self.c                          # (r, D)
        x = _solve_psd(H.reshape(r * self.D, r * self.D), g.ravel())
        return x.reshape(r, self.D).T

    def objective(self, B, A):
        """``sum_i alpha_i ||X_i B A_i - y_i||^2`` from the Gram data."""
        w = (B @ A.T).T                                     # (k, D) predictors
        quad = np.sum(w * np.matmul(self.G, w[:, :, None])[:, :, 0], axis=1)
        return float(np.dot(self.alpha, self.yy - 2 * np.sum(self.c * w, axis=1) + quad))


def _spectral_start(Xs, ys, alpha, r, rng):
    """Top-r left singular vectors of ``[sqrt(alpha_i) pinv(X_i) y_i]``, random columns past k."""
    W = np.stack([np.sqrt(a) * scipy.linalg.lstsq(X, y)[0] for a, X, y in zip(alpha, Xs, ys)],
                 axis=1)
    U = scipy.linalg.svd(W, full_matrices=False)[0][:, :r]
    if U.shape[1] < r:
        U = np.hstack([U, rng.standard_normal((W.shape[0], r - U.shape[1]))])
    return U


def _run(grams, A, max_iter, tol):
    """ALS from the heads A (k, r), module step first; returns (B, A, sweeps, converged)."""
    B = grams.module(A)
    A = grams.heads(B)
    prev = grams.objective(B, A)
    floor = 1e-14 * float(np.dot(grams.alpha, grams.yy))
    for sweep in range(2, max_iter + 1):
        B = grams.module(A)
        A = grams.heads(B)
        obj = grams.objective(B, A)
        if obj <= floor or prev - obj <= tol * prev:
            return B, A, sweep, True
        prev = obj
    return B, A, max_iter, False


def fit_shared_module_als(Xs, ys, r, weights=None, starts=8, seed=0, max_iter=1000, tol=1e-10,
                          spectral_start=True):
    """Fit the linear shared-module model by ALS from several starts; keep the best objective.

    Parameters
    ----------
    Xs : list of k arrays, shapes (n_i, D)
        Inputs of each task (same D).
    ys : list of k arrays, shapes (n_i,)
        Labels of each task.
    r : int >= 1
        Capacity: columns of the shared module B.
    weights : array (k,), optional
        Task weights ``alpha_i > 0`` (default ones).
    starts : int >= 1
        Number of starts. A random start draws Gaussian heads and begins with a
        module step; the first start is spectral when ``spectral_start`` (its heads
        fitted to the spectral module).
    seed : int >= 0
        Seed of the random starts.
    max_iter : int >= 1
        ALS sweeps per start.
    tol : float > 0
        A start stops when a sweep lowers the objective by less than ``tol`` times it.
    spectral_start : bool
        Make the first start spectral.

    Returns
    -------
    SharedModuleFit
        ``method="als"``, the start with the lowest objective; ``start_objectives``
        (starts,) holds every start's final objective.

    Raises
    ------
    InputError, InputTypeError
        Tasks with different D (the message names the task), ``r <= 0``, bad weights
        or settings.
    """
    Xs, ys = check_task_list(Xs, ys)
    r = check_rank(r)
    alpha = check_task_weights(weights, len(Xs))
    starts = int(check_scalar(starts, "starts", low=1, low_inclusive=True, integer=True))
    seed = int(check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True))
    max_iter = int(check_scalar(max_iter, "max_iter", low=1, low_inclusive=True, integer=True))
    tol = check_scalar(tol, "tol", low=0.0)
    rng = np.random.default_rng(seed)
    grams = _Grams(Xs, ys, alpha)
    best, objectives = None, []
    for s in range(starts):
        if s == 0 and spectral_start:
            A0 = grams.heads(_spectral_start(Xs, ys, alpha, r, rng))
        else:
            A0 = rng.standard_normal((len(Xs), r))
        B, A, sweeps, ok = _run(grams, A0, max_iter, tol)
        fit = fit_from_module(Xs, ys, B, A, alpha, "als", sweeps, ok)
        objectives.append(fit.objective)
        if best is None or fit.objective < best.objective:
            best = fit
    best.start_objectives = np.array(objectives)
    return best
