"""Minimum-ell1 interpolation (basis pursuit): the small-init limit of one task."""
import time

import cvxpy as cp
import numpy as np
import scipy.optimize

from featreuse.errors import InfeasibleError, SolverError
from featreuse.validation import check_data
from .cache import CACHE, check_solver, digest, solve
from .checks import check_backend, relative_gap, relative_residual, require_interpolable
from .result import ConvexResult

_INFEASIBLE = "y is not in the range of X: no interpolating beta exists"


def l1_certificate(X, y, beta, lam):
    """Duality gap of basis pursuit for a dual candidate ``lam`` (n,).

    The dual is ``max y^T lam s.t. ||X^T lam||_inf <= 1``; ``lam`` is scaled
    into the feasible set first, so the returned gap is a true upper bound on
    the suboptimality of any feasible ``beta``.

    Returns
    -------
    (relative_gap, primal, dual, lam_feasible)
    """
    scale = max(1.0, float(np.max(np.abs(X.T @ lam))))
    lam = lam / scale
    primal = float(np.sum(np.abs(beta)))
    dual = float(y @ lam)
    return relative_gap(primal, dual), primal, dual, lam


def _build(X):
    n, D = X.shape
    beta = cp.Variable(D)
    y = cp.Parameter(n)
    cons = [X @ beta == y]
    return cp.Problem(cp.Minimize(cp.norm1(beta)), cons), beta, cons[0], y


def _fast(X, y):
    n, D = X.shape
    res = scipy.optimize.linprog(np.ones(2 * D), A_eq=np.hstack([X, -X]), b_eq=y,
                                 bounds=(0, None), method="highs")
    if res.status == 2:
        raise InfeasibleError(f"{_INFEASIBLE} (HiGHS: {res.message})")
    if res.status != 0:
        raise SolverError(f"HiGHS did not solve the basis-pursuit LP: {res.message}",
                          status=res.status)
    beta = res.x[:D] - res.x[D:]
    # eqlin.marginals = d(optimal value)/d(b_eq): the dual variable of X beta = y
    return beta, np.asarray(res.eqlin.marginals, dtype=float), res.nit


def min_l1(X, y, backend="fast", solver=None, solver_options=None):
    """Minimum-ell1 interpolant ``min ||beta||_1 s.t. X beta = y``.

    Parameters
    ----------
    X : array_like (n, D)
        Design matrix, rows are samples.
    y : array_like (n,)
        Labels; must lie in the range of ``X``.
    backend : {"fast", "cvxpy"}
        ``"fast"``: the split LP ``beta = u - v, u, v >= 0`` solved by HiGHS
        (``scipy.optimize.linprog``); ``"cvxpy"``: reference program.
    solver, solver_options
        cvxpy solver (default Clarabel) and options, ``backend="cvxpy"`` only.

    Returns
    -------
    ConvexResult
        ``beta`` (D,), objective ``||beta||_1`` and the relative duality gap
        against the scaled dual variable of ``X beta = y`` (``info["dual"]``).

    Raises
    ------
    InfeasibleError
        ``y`` is not in the range of ``X``.
    SolverError
        The LP/cone solver stopped without an optimal solution.
    """
    t0 = time.perf_counter()
    X, y = check_data(X, y)
    check_backend(backend)
    info = {}
    if backend == "fast":
        beta, lam, nit = _fast(X, y)
        solver_name = "highs"
        info["iterations"] = int(nit)
    else:
        solver_name = check_solver(solver)
        require_interpolable(X, y)
        (prob, var, cons, yp), hit = CACHE.get(("min_l1", digest(X)), lambda: _build(X))
        yp.value = y
        info["solve_s"] = solve(prob, solver_name, solver_options, _INFEASIBLE)
        info["cache_hit"] = hit
        beta = np.asarray(var.value, dtype=float)
        # cvxpy's dual of an equality constraint enters the Lagrangian as
        # f + lam^T (y - X beta) for minimisation, i.e. it is the multiplier above
        lam = -np.asarray(cons.dual_value, dtype=float)
    gap, primal, dual, lam = l1_certificate(X, y, beta, lam)
    info["dual"] = lam
    info["dual_objective"] = dual
    return ConvexResult(beta=beta, objective=primal, status="optimal",
                        primal_residual=relative_residual(X, beta, y), certificate=gap,
                        certificate_kind="duality_gap", solver=solver_name,
                        wall_s=time.perf_counter() - t0, info=info)
