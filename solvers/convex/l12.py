"""Minimum-ell_{1,2} interpolation: the small-init limit of multi-task learning.

``min ||B||_{1,2} = sum_d ||B_{d,:}||_2  s.t.  X_t beta_t = y_t`` for every task
``t`` (``B = [beta_1 ... beta_T]``, tasks may have different ``X_t`` and
``n_t``). Its dual is ``max sum_t y_t^T lam_t  s.t.  ||(X_t^T lam_t)_d||_2 <= 1``
for every feature ``d`` (the norm over tasks).
"""
import time

import cvxpy as cp
import numpy as np
import scipy.linalg

from featreuse.errors import InfeasibleError, SolverError
from featreuse.validation import check_data, check_task_list
from .cache import CACHE, check_solver, digest, solve
from .checks import RANGE_RTOL, check_backend, check_vector, relative_gap, relative_residual
from .group_cone import group_cone
from .result import ConvexResult

#: Clarabel settings of the reference program unless the caller passes options:
#: with the defaults (1e-8) the minimiser is only accurate to about 1e-6.
TIGHT_CLARABEL = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10,
                  "tol_ktratio": 1e-8}


def solver_options_for(solver_name, solver_options):
    """Caller's options, or :data:`TIGHT_CLARABEL` for Clarabel when none are given."""
    if solver_options is None:
        return dict(TIGHT_CLARABEL) if solver_name == "CLARABEL" else {}
    return dict(solver_options)


class TaskRows:
    """Thin SVD ``X = U diag(S) V^T`` of one task at its numerical rank.

    The constraint ``X beta = y`` is equivalent to ``V^T beta = c`` with
    ``c = S^-1 U^T y`` once ``y`` is checked to lie in range(X).
    """

    def __init__(self, X, y, y_name, X_name):
        n, D = X.shape
        self.cho = None
        if n >= D and self._normal_equations(X, y, y_name, X_name):
            return
        U, S, Vt = np.linalg.svd(X, full_matrices=False)
        if S[0] == 0:
            r = 0
        else:
            r = int(np.sum(S > S[0] * max(n, D) * np.finfo(float).eps))
        self.U, self.S, self.Vt = U[:, :r], S[:r], Vt[:r]
        Uy = self.U.T @ y
        ny = np.linalg.norm(y)
        defect = np.linalg.norm(y - self.U @ Uy) / ny if ny > 0 else 0.0
        if defect > RANGE_RTOL:
            raise InfeasibleError(
                f"{y_name} is not in the range of {X_name}: no interpolating beta exists "
                f"(relative distance {defect:.3g} > {RANGE_RTOL:g}); use group_lasso for noisy labels")
        self.c = Uy / self.S if r else np.zeros(0)
        self.fixed = r == D

    def _normal_equations(self, X, y, y_name, X_name):
        """Full column rank through the Cholesky factor of X^T X (no SVD); False if unsafe.

        The Gram matrix squares the condition number, so it is used only when the
        factor's diagonal says ``cond(X) <~ 1e3``.
        """
        try:
            cho = scipy.linalg.cho_factor(X.T @ X, lower=True)
        except np.linalg.LinAlgError:
            return False
        diag = np.abs(np.diag(cho[0]))
        if diag.min() <= 1e-3 * diag.max():
            return False
        beta = scipy.linalg.cho_solve(cho, X.T @ y)
        ny = np.linalg.norm(y)
        defect = np.linalg.norm(y - X @ beta) / ny if ny > 0 else 0.0
        if defect > RANGE_RTOL:
            raise InfeasibleError(
                f"{y_name} is not in the range of {X_name}: no interpolating beta exists "
                f"(relative distance {defect:.3g} > {RANGE_RTOL:g}); use group_lasso for noisy labels")
        self.X, self.cho, self._beta, self.fixed = X, cho, beta, True
        return True

    def beta(self):
        """The unique solution (full column rank only)."""
        return self._beta if self.cho is not None else self.Vt.T @ self.c

    def dual_of(self, h):
        """Least-norm ``lam`` with ``X^T lam = h`` (exact when X has full column rank)."""
        if self.cho is not None:
            return self.X @ scipy.linalg.cho_solve(self.cho, h)
        return self.U @ ((self.Vt @ h) / self.S)

    def dual_of_reduced(self, mu):
        """Multiplier of ``X beta = y`` from the multiplier ``mu`` of ``V^T beta = c``."""
        return self.U @ (mu / self.S)


ALMOST_GAP = 1e-8  # certificate a reduced-accuracy ("AlmostSolved") answer must meet


def l12_certificate(Xs, ys, B, lams):
    """Relative duality gap of min-ell_{1,2} for dual candidates ``lams``.

    All ``lam_t`` are divided by ``max(1, max_d ||(X_t^T lam_t)_d||)`` so the
    dual point is feasible; then ``gap = ||B||_{1,2} - sum_t y_t^T lam_t``.

    Returns
    -------
    (relative_gap, primal, dual, scaled lams)
    """
    G = np.stack([X.T @ lam for X, lam in zip(Xs, lams)], axis=1)
    scale = max(1.0, float(np.max(np.sqrt(np.sum(G * G, axis=1)))))
    lams = [lam / scale for lam in lams]
    primal = float(np.sum(np.sqrt(np.sum(B * B, axis=1))))
    dual = float(sum(y @ lam for y, lam in zip(ys, lams)))
    return relative_gap(primal, dual), primal, dual, lams


def _fast(Xs, ys):
    D = Xs[0].shape[1]
    T = len(Xs)
    rows = [TaskRows(X, y, f"ys[{t}]", f"Xs[{t}]") for t, (X, y) in enumerate(zip(Xs, ys))]
    free = [t for t in range(T) if not rows[t].fixed]
    fixed = [t for t in range(T) if rows[t].fixed]
    B = np.zeros((D, T))
    for t in fixed:
        B[:, t] = rows[t].beta()
    alpha = np.sum(B[:, fixed] ** 2, axis=1)
    lams = [None] * T
    iterations, status = 0, "Solved"
    if free:
        Bf, mus, iterations, status = group_cone([rows[t].Vt for t in free], [rows[t].c for t in free],
                                         alpha)
        B[:, free] = Bf
        Gr = np.stack([rows[t].Vt.T @ mu for t, mu in zip(free, mus)], axis=1)
        gn = np.sqrt(np.sum(Gr * Gr, axis=1))
        sc = max(1.0, float(np.max(gn)))
        mus = [mu / sc for mu in mus]
        gn = gn / sc
        for j, t in enumerate(free):
            lams[t] = rows[t].dual_of_reduced(mus[j])
    else:
        gn = np.zeros(D)
    if fixed:
        # best completion: h_d = a_d / ||a_d|| * sqrt(1 - ||g_d||^2)
        a = B[:, fixed]
        an = np.sqrt(np.sum(a * a, axis=1))
        h = np.where(an[:, None] > 0, a / np.where(an > 0, an, 1.0)[:, None], 0.0)
        h *= np.sqrt(np.clip(1.0 - gn * gn, 0.0, None))[:, None]
        for j, t in enumerate(fixed):
            lams[t] = rows[t].dual_of(h[:, j])
    return B, lams, {"iterations": iterations, "fixed_tasks": fixed, "clarabel_status": status}


def _build(Xs):
    D = Xs[0].shape[1]
    T = len(Xs)
    B = cp.Variable((D, T))
    ys = [cp.Parameter(X.shape[0]) for X in Xs]
    cons = [X @ B[:, t] == y for t, (X, y) in enumerate(zip(Xs, ys))]
    prob = cp.Problem(cp.Minimize(cp.sum(cp.norm(B, 2, axis=1))), cons)
    return prob, B, cons, ys


def min_l12(Xs, ys, backend="fast", solver=None, solver_options=None):
    """Minimum-ell_{1,2} interpolation over tasks: ``min sum_d ||B_{d,:}||_2``.

    Parameters
    ----------
    Xs : list of array_like (n_t, D)
        Per-task design matrices (rows are samples; ``n_t`` may differ).
    ys : list of array_like (n_t,)
        Per-task labels, each in the range of its ``X_t``.
    backend : {"fast", "cvxpy"}
        ``"fast"``: every task is reduced to orthonormal constraints by a thin
        SVD; tasks whose ``X_t`` has full column rank are solved exactly and
        fixed, the rest by Clarabel on the reduced cone program
        (:mod:`.group_cone`), without the modelling layer.
        ``"cvxpy"``: the second-order-cone program (reference).
    solver, solver_options
        cvxpy solver (default Clarabel with tolerances 1e-10) and options.

    Returns
    -------
    ConvexResult
        ``beta`` (D, T); objective ``||B||_{1,2}``; relative duality gap
        certificate; ``info["dual"]`` the scaled multipliers ``lam_t``.

    Raises
    ------
    InfeasibleError
        Some ``ys[t]`` is not in the range of ``Xs[t]`` (named in the message).
    """
    t0 = time.perf_counter()
    Xs, ys = check_task_list(Xs, ys)
    check_backend(backend)
    info = {}
    if backend == "fast":
        B, lams, extra = _fast(Xs, ys)
        info.update(extra)
        solver_name = "reduced_clarabel"
    else:
        solver_name = check_solver(solver)
        for t, (X, y) in enumerate(zip(Xs, ys)):
            TaskRows(X, y, f"ys[{t}]", f"Xs[{t}]")  # feasibility, named per task
        key = ("min_l12",) + tuple(digest(X) for X in Xs)
        (prob, var, cons, yps), hit = CACHE.get(key, lambda: _build(Xs))
        for yp, y in zip(yps, ys):
            yp.value = y
        info["solve_s"] = solve(prob, solver_name, solver_options_for(solver_name, solver_options),
                                "some ys[t] is not in the range of Xs[t]")
        info["cache_hit"] = hit
        B = np.asarray(var.value, dtype=float)
        lams = [-np.asarray(c.dual_value, dtype=float) for c in cons]
    gap, primal, dual, lams = l12_certificate(Xs, ys, B, lams)
    info.update(dual=lams, dual_objective=dual)
    res = max(relative_residual(X, B[:, t], y) for t, (X, y) in enumerate(zip(Xs, ys)))
    status = "optimal"
    if info.get("clarabel_status") == "AlmostSolved":
        # Clarabel stopped at its reduced accuracy: keep the answer only if our own
        # certificate (duality gap of a feasible dual point) and residual vouch for it
        if not (abs(gap) <= ALMOST_GAP and res <= ALMOST_GAP):
            raise SolverError(f"Clarabel's reduced ell_{{1,2}} solution is inaccurate (duality gap "
                              f"{gap:.1e}, residual {res:.1e})", status="AlmostSolved")
        status = "optimal_inaccurate"
    return ConvexResult(beta=B, objective=primal, status=status, primal_residual=res,
                        certificate=gap, certificate_kind="duality_gap", solver=solver_name,
                        wall_s=time.perf_counter() - t0, info=info)


def mtl_conditional(X, y, beta_aux, backend="fast", solver=None, solver_options=None):
    """LL's MTL program for the main task given the auxiliary predictor.

    ``min sum_d sqrt(beta_d^2 + beta_aux,d^2) - |beta_aux,d|  s.t.  X beta = y``:
    the min-ell_{1,2} program with the auxiliary column fixed, i.e.
    :func:`min_l12` on ``[X, I]``, ``[y, beta_aux]`` (the identity design
    has full column rank, so the fast backend fixes it exactly).

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    beta_aux : array_like (D,)
        Auxiliary-task predictor.
    backend, solver, solver_options
        As in :func:`min_l12`.

    Returns
    -------
    ConvexResult
        ``beta`` (D,) the main-task predictor; ``objective`` the conditional
        penalty; certificate: the relative duality gap of the ell_{1,2} program
        (``info["l12_objective"]`` its value).
    """
    X, y = check_data(X, y)
    beta_aux = check_vector(beta_aux, "beta_aux", X.shape[1])
    D = X.shape[1]
    res = min_l12([X, np.eye(D)], [y, beta_aux], backend=backend, solver=solver,
                  solver_options=solver_options)
    beta = res.beta[:, 0].copy()
    a = np.abs(beta_aux)
    r = np.hypot(beta, a)
    # r - |a| = beta^2 / (r + |a|) without cancellation
    objective = float(np.sum(np.where(r > 0, beta * beta / np.where(r > 0, r + a, 1.0), 0.0)))
    info = dict(res.info, l12_objective=res.objective, beta_aux=res.beta[:, 1].copy())
    return ConvexResult(beta=beta, objective=objective, status="optimal",
                        primal_residual=relative_residual(X, beta, y),
                        certificate=res.certificate, certificate_kind=res.certificate_kind,
                        solver=res.solver, wall_s=res.wall_s, info=info)
