"""Penalised programs for noisy labels: lasso and the multi-task group lasso.

``group_lasso`` is the program whose global minima weight-decayed MTL reaches:
with weight decay ``lambda`` on all weights, a diagonal network's minima are
those of ``sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{1,2}``
(docs/theory.md), i.e. ``group_lasso(..., lam=2 * lambda)``.

Weights: ``omega_t`` is a per-sample weight (``sample_weights``, each of task
t's squared errors counts omega_t); ``task_weights`` lambda_t are per-task
weights of the task MSEs, ``omega_t = lambda_t / n_t``.
"""
import time

import cvxpy as cp
import numpy as np

from featreuse.validation import check_data, check_scalar, check_task_list
from .cache import CACHE, check_solver, digest, solve
from .checks import relative_gap, relative_residual
from .l12 import solver_options_for
from .result import ConvexResult


def lasso_certificate(X, y, beta, lam):
    """Relative duality gap of ``(1/n)||X beta - y||^2 + lam ||beta||_1``.

    Dual: ``max_u u^T y - (n/4)||u||^2 s.t. ||X^T u||_inf <= lam``, evaluated
    at the residual point ``u = (2/n)(y - X beta)`` scaled into the feasible set
    (skglm/celer style).
    """
    n = X.shape[0]
    r = y - X @ beta
    primal = float(r @ r / n + lam * np.sum(np.abs(beta)))
    u = (2.0 / n) * r
    u *= min(1.0, lam / max(float(np.max(np.abs(X.T @ u))), 1e-300))
    dual = float(u @ y - 0.25 * n * (u @ u))
    return relative_gap(primal, dual), primal, dual


def lasso(X, y, lam, solver=None, solver_options=None):
    """Lasso ``min (1/n)||X beta - y||^2 + lam ||beta||_1``.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    lam : float
        Penalty ``> 0`` (same units as the MSE per unit of ``||beta||_1``).
    solver, solver_options
        cvxpy solver (default Clarabel, tolerances 1e-10) and options.

    Returns
    -------
    ConvexResult
        ``beta`` (D,); objective; relative duality gap certificate;
        ``primal_residual`` the relative training residual (information).
    """
    t0 = time.perf_counter()
    X, y = check_data(X, y)
    check_scalar(lam, "lam", low=0.0)
    n, D = X.shape
    solver_name = check_solver(solver)

    def build():
        beta = cp.Variable(D)
        yp, lp = cp.Parameter(n), cp.Parameter(nonneg=True)
        prob = cp.Problem(cp.Minimize(cp.sum_squares(X @ beta - yp) / n + lp * cp.norm1(beta)))
        return prob, beta, yp, lp

    (prob, var, yp, lp), hit = CACHE.get(("lasso", digest(X)), build)
    yp.value, lp.value = y, float(lam)
    solve_s = solve(prob, solver_name, solver_options_for(solver_name, solver_options),
                    "lasso reported infeasible")
    beta = np.asarray(var.value, dtype=float)
    gap, primal, dual = lasso_certificate(X, y, beta, lam)
    return ConvexResult(beta=beta, objective=primal, status="optimal",
                        primal_residual=relative_residual(X, beta, y), certificate=gap,
                        certificate_kind="duality_gap", solver=solver_name,
                        wall_s=time.perf_counter() - t0,
                        info={"solve_s": solve_s, "cache_hit": hit, "dual_objective": dual})


def group_lasso_certificate(Xs, ys, B, lam, sample_weights):
    """Relative duality gap of ``sum_t omega_t ||X_t b_t - y_t||^2 + lam ||B||_{1,2}``.

    Dual: ``max sum_t u_t^T y_t - ||u_t||^2 / (4 omega_t)`` s.t.
    ``||(X_t^T u_t)_d||_2 <= lam`` over tasks, evaluated at
    ``u_t = 2 omega_t (y_t - X_t b_t)`` scaled into the feasible set.

    Parameters
    ----------
    Xs, ys : lists of T ndarrays (n_t, D), (n_t,)
    B : ndarray (D, T)
        Candidate minimiser, one column per task.
    lam : float
        Group penalty.
    sample_weights : array_like (T,)
        Per-sample weights omega_t > 0 (not per-task weights).

    Returns
    -------
    (relative_gap, primal, dual) : floats
    """
    omega = sample_weights
    us = [2.0 * w * (y - X @ B[:, t]) for t, (X, y, w) in enumerate(zip(Xs, ys, omega))]
    G = np.stack([X.T @ u for X, u in zip(Xs, us)], axis=1)
    scale = min(1.0, lam / max(float(np.max(np.sqrt(np.sum(G * G, axis=1)))), 1e-300))
    us = [u * scale for u in us]
    fit = sum(w * float(np.sum((X @ B[:, t] - y) ** 2))
              for t, (X, y, w) in enumerate(zip(Xs, ys, omega)))
    primal = fit + lam * float(np.sum(np.sqrt(np.sum(B * B, axis=1))))
    dual = sum(float(u @ y) - float(u @ u) / (4.0 * w) for u, y, w in zip(us, ys, omega))
    return relative_gap(primal, dual), primal, dual


def group_lasso(Xs, ys, lam, task_weights=None, solver=None, solver_options=None):
    """Multi-task group lasso ``min sum_t omega_t ||X_t beta_t - y_t||^2 + lam ||B||_{1,2}``.

    Parameters
    ----------
    Xs : list of array_like (n_t, D)
    ys : list of array_like (n_t,)
    lam : float
        Penalty ``> 0``; weight-decayed MTL with coefficient ``lambda``
        matches ``lam = 2 lambda``.
    task_weights : array_like (T,), optional
        Per-task weights lambda_t, as in :func:`featreuse.solvers.train_multi`: the data
        term is ``sum_t lambda_t MSE_t``, i.e. per-sample weights
        ``omega_t = lambda_t / n_t``. ``None`` gives LL's ``omega_t = 1 / N``
        (N = total samples). To pass per-sample weights omega, use
        ``task_weights=omega * ns``.
    solver, solver_options
        cvxpy solver (default Clarabel, tolerances 1e-10) and options.

    Returns
    -------
    ConvexResult
        ``beta`` (D, T); objective; relative duality gap certificate;
        ``info["sample_weights"]`` the per-sample weights omega_t used.
    """
    from ..train import sample_weights_of

    t0 = time.perf_counter()
    Xs, ys = check_task_list(Xs, ys)
    check_scalar(lam, "lam", low=0.0)
    omega = sample_weights_of([X.shape[0] for X in Xs], task_weights)
    D, T = Xs[0].shape[1], len(Xs)
    solver_name = check_solver(solver)

    def build():
        B = cp.Variable((D, T))
        # sqrt(omega_t) (X_t b_t) - sqrt(omega_t) y_t keeps the program DPP
        yps = [cp.Parameter(X.shape[0]) for X in Xs]
        wps = [cp.Parameter(nonneg=True) for _ in Xs]
        lp = cp.Parameter(nonneg=True)
        fit = sum(cp.sum_squares(w * (X @ B[:, t]) - yp)
                  for t, (X, yp, w) in enumerate(zip(Xs, yps, wps)))
        prob = cp.Problem(cp.Minimize(fit + lp * cp.sum(cp.norm(B, 2, axis=1))))
        return prob, B, yps, wps, lp

    key = ("group_lasso",) + tuple(digest(X) for X in Xs)
    (prob, var, yps, wps, lp), hit = CACHE.get(key, build)
    for yp, wp, y, w in zip(yps, wps, ys, omega):
        yp.value, wp.value = np.sqrt(w) * y, float(np.sqrt(w))
    lp.value = float(lam)
    solve_s = solve(prob, solver_name, solver_options_for(solver_name, solver_options),
                    "group lasso reported infeasible")
    B = np.asarray(var.value, dtype=float)
    gap, primal, dual = group_lasso_certificate(Xs, ys, B, lam, omega)
    res = max(relative_residual(X, B[:, t], y) for t, (X, y) in enumerate(zip(Xs, ys)))
    return ConvexResult(beta=B, objective=primal, status="optimal", primal_residual=res,
                        certificate=gap, certificate_kind="duality_gap", solver=solver_name,
                        wall_s=time.perf_counter() - t0,
                        info={"solve_s": solve_s, "cache_hit": hit, "dual_objective": dual,
                              "sample_weights": omega})
