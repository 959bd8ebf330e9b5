"""Minimum weighted-ell2 interpolation: the limit of readout-only training."""
import time

import cvxpy as cp
import numpy as np
import scipy.linalg

from featreuse.errors import InputError
from featreuse.validation import check_data
from .cache import CACHE, check_solver, digest, solve
from .checks import (check_backend, check_vector, relative_gap, relative_residual,
                     require_interpolable)
from .result import ConvexResult


def _weights_center(weights, center, D):
    w = np.ones(D) if weights is None else check_vector(weights, "weights", D)
    if np.any(w <= 0):
        raise InputError("weights must be > 0 everywhere")
    c = np.zeros(D) if center is None else check_vector(center, "center", D)
    return w, c


def _build(X):
    n, D = X.shape
    # e = beta - c keeps the program DPP (no Parameter-Parameter products)
    e = cp.Variable(D)
    r = cp.Parameter(n)
    sqrt_w = cp.Parameter(D, nonneg=True)
    cons = [X @ e == r]
    prob = cp.Problem(cp.Minimize(cp.sum_squares(cp.multiply(sqrt_w, e))), cons)
    return prob, e, cons[0], {"r": r, "sqrt_w": sqrt_w}


def min_l2(X, y, weights=None, center=None, backend="fast", solver=None, solver_options=None):
    """Minimum weighted-ell2 interpolant ``min sum_d w_d (beta_d - c_d)^2 s.t. X beta = y``.

    The closed form is ``beta = c + W^-1 X^T (X W^-1 X^T)^+ (y - X c)``; it is
    the end point of training only the readout of a diagonal network whose
    frozen first layer gives ``w_d = 1 / u_d^2`` (docs/convex.md).

    Parameters
    ----------
    X : array_like (n, D)
        Design matrix, rows are samples.
    y : array_like (n,)
        Labels; must lie in the range of ``X``.
    weights : array_like (D,), optional
        Positive coordinate weights ``w`` (default all ones).
    center : array_like (D,), optional
        Centre ``c`` (default zeros).
    backend : {"fast", "cvxpy"}
        ``"fast"``: closed form through a least-squares solve; ``"cvxpy"``:
        the quadratic program (reference).
    solver, solver_options
        cvxpy solver name (default Clarabel) and its keyword options.

    Returns
    -------
    ConvexResult
        ``beta`` (D,), objective ``sum w (beta - c)^2`` and a KKT residual
        certificate: ``W (beta - c)`` must lie in the row space of ``X``.

    Raises
    ------
    InfeasibleError
        ``y`` is not in the range of ``X``.
    """
    t0 = time.perf_counter()
    X, y = check_data(X, y)
    check_backend(backend)
    n, D = X.shape
    w, c = _weights_center(weights, center, D)
    require_interpolable(X, y)
    info = {}
    if backend == "fast":
        inv_sqrt_w = 1.0 / np.sqrt(w)
        # min ||u|| s.t. (X W^-1/2) u = y - X c, u = W^1/2 (beta - c)
        u = scipy.linalg.lstsq(X * inv_sqrt_w, y - X @ c, lapack_driver="gelsd")[0]
        beta = c + inv_sqrt_w * u
        solver_name = "closed_form"
    else:
        solver_name = check_solver(solver)
        key = ("min_l2", digest(X))
        (prob, var, cons, par), hit = CACHE.get(key, lambda: _build(X))
        par["r"].value, par["sqrt_w"].value = y - X @ c, np.sqrt(w)
        info["solve_s"] = solve(prob, solver_name, solver_options,
                                "y is not in the range of X")
        info["cache_hit"] = hit
        beta = c + np.asarray(var.value, dtype=float)
    grad = w * (beta - c)
    # stationarity: 2 W (beta - c) = X^T nu for some nu
    nu = scipy.linalg.lstsq(X.T, grad, lapack_driver="gelsy")[0]
    scale = np.linalg.norm(grad)
    stat = float(np.linalg.norm(X.T @ nu - grad) / scale) if scale > 0 else 0.0
    res = relative_residual(X, beta, y)
    objective = float(np.sum(w * (beta - c) ** 2))
    # dual of min sum w (b - c)^2 s.t. Xb = y: max 2 nu^T (y - Xc) - sum (X^T nu)^2 / w
    # (nu here is half the multiplier above); at the optimum it equals the objective.
    dual = float(2 * nu @ (y - X @ c) - np.sum((X.T @ nu) ** 2 / w))
    info.update(stationarity=stat, duality_gap=relative_gap(objective, dual))
    return ConvexResult(beta=beta, objective=objective, status="optimal",
                        primal_residual=res, certificate=max(res, stat),
                        certificate_kind="kkt_residual", solver=solver_name,
                        wall_s=time.perf_counter() - t0, info=info)
