"""Newton directions ``-(V^T diag(h) V)^{-1} g`` of the single-task flow's dual.

The Hessian of the reduced dual (:mod:`featreuse.solvers.reduced_flow`) is
``H = V^T diag(h) V`` (r, r) with V (D, r) orthonormal columns and h (D,) > 0.
Forming it is the cost of a Newton iteration (a rank-D update, O(D r^2)). We
form and factor it in float32, at about half the float64 time, and recover a
float64-accurate direction by iterative refinement: each pass is one float64
product with H through V (O(D r)) and one float32 triangular solve. The float32
factor serves while ``cond(H) * eps32`` is well below 1; where it is not (the
factorisation fails or refinement stalls), the direction comes from the float64
factor instead, so the result never depends on float32 being good enough.
"""
import numpy as np
import scipy.linalg
import scipy.linalg.blas

#: Refinement stops once ``||g - H d|| <= REFINE_TOL ||g||``.
REFINE_TOL = 1e-12
#: A float32 direction is kept if refinement brought the residual below this (relative).
ACCEPT_TOL = 1e-6
REFINE_PASSES = 4


def weighted_gram(V, h, full=True):
    """``V^T diag(h) V`` (r, r) for h >= 0, by a symmetric rank-k update (BLAS syrk).

    ``full=False`` returns only the lower triangle (the upper one is zero), enough for a
    Cholesky factorisation. ``V`` (D, r) C-ordered is passed to BLAS as its F-ordered
    transpose, so nothing is copied. The precision is V's (float64 or float32).
    """
    W = V * np.sqrt(h).astype(V.dtype)[:, None]
    syrk = scipy.linalg.blas.ssyrk if V.dtype == np.float32 else scipy.linalg.blas.dsyrk
    H = syrk(1.0, W.T, trans=0, lower=1)
    return H + np.tril(H, -1).T if full else H


def newton_direction(V, h, g, V32=None):
    """``d = -(V^T diag(h) V)^{-1} g`` (r,), float64.

    Parameters
    ----------
    V : ndarray (D, r), float64, orthonormal columns
    h : ndarray (D,), curvature weights >= 0
    g : ndarray (r,), the gradient
    V32 : ndarray (D, r), float32, optional
        ``V`` rounded to float32 (pass it to reuse one copy across iterations); None
        factors in float64 directly.
    """
    if V32 is not None:
        d = _refined_float32(V, V32, h, g)
        if d is not None:
            return d
    H = weighted_gram(V, h, full=False)
    try:
        factor = scipy.linalg.cho_factor(H, lower=True, check_finite=False)
        return -scipy.linalg.cho_solve(factor, g, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return -scipy.linalg.lstsq(H + np.tril(H, -1).T, g)[0]


def _refined_float32(V, V32, h, g):
    """The direction from a float32 factor refined in float64; None if it is not accurate."""
    H32 = weighted_gram(V32, h, full=False)
    try:
        factor = scipy.linalg.cho_factor(H32, lower=True, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return None
    g_norm = float(np.linalg.norm(g))
    if not g_norm > 0:
        return np.zeros_like(g)
    x = np.zeros_like(g)
    r = g
    for _ in range(REFINE_PASSES):
        x = x + scipy.linalg.cho_solve(factor, r.astype(np.float32),
                                       check_finite=False).astype(np.float64)
        r = g - V.T @ (h * (V @ x))
        if not np.isfinite(x).all():
            return None
        if np.linalg.norm(r) <= REFINE_TOL * g_norm:
            break
    return -x if np.linalg.norm(r) <= ACCEPT_TOL * g_norm else None
