"""Hyperbolic-entropy programs (P-ent): the exact limit of single-task training.

The flow from an init with constants ``A, B`` ends at the minimiser of

    sum_d phi_d(beta_d),  phi_d(b) = kappa_d q(b / kappa_d) - delta_d b,   s.t. X beta = y

(docs/theory.md, docs/convex.md). With ``phi_d*(z) = A_d e^z + B_d e^-z - 2 kappa_d``
its Lagrange dual is the smooth, unconstrained

    max_nu  y^T nu - sum_d (A_d e^{z_d} + B_d e^{-z_d} - 2 kappa_d),   z = X^T nu,

and ``beta = A e^z - B e^-z`` at the optimum. (The flow's own variable is
``p = (n/4) nu``.) The cvxpy backend solves this exponential-cone program; the
fast backend is the Newton solver of :func:`featreuse.solvers.reduced_flow.flow_end`.
"""
import time

import cvxpy as cp
import numpy as np
import scipy.linalg

from ..diagonal import log_AB, single_init
from featreuse.errors import InfeasibleError, InputError, SolverError
from ..penalties import entropy_terms
from ..reduced_flow import flow_end, gram_cholesky
from featreuse.validation import as_real_array, check_data, check_scalar
from .cache import CACHE, check_solver, digest, solve
from .checks import (check_backend, check_vector, relative_gap, relative_residual,
                     require_interpolable)
from .result import ConvexResult

#: Clarabel settings of the exponential-cone dual unless the caller passes
#: options: gradients of the dual (the interpolation residual) are only as
#: accurate as the square root of its objective tolerance.
ENTROPY_CLARABEL = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12,
                    "tol_ktratio": 1e-10}


def _build(X, idx_a, idx_b):
    n, D = X.shape
    nu = cp.Variable(n)
    y = cp.Parameter(n)
    log_a = cp.Parameter(idx_a.size)
    log_b = cp.Parameter(idx_b.size)
    obj = y @ nu
    if idx_a.size:
        obj = obj - cp.sum(cp.exp(X[:, idx_a].T @ nu + log_a))
    if idx_b.size:
        obj = obj - cp.sum(cp.exp(-(X[:, idx_b].T @ nu) + log_b))
    return cp.Problem(cp.Maximize(obj)), nu, {"y": y, "log_a": log_a, "log_b": log_b}


def _beta_of_z(z, log_A, log_B):
    with np.errstate(over="ignore"):
        return np.exp(log_A + z) - np.exp(log_B - z)


def _z_of_beta(beta, log_A, log_B):
    """``phi'(beta)``: the dual point each coordinate of ``beta`` asks for.

    NaN where it is undefined (frozen coordinates, or a sign-constrained
    coordinate sitting exactly at 0).
    """
    fa, fb = np.isfinite(log_A), np.isfinite(log_B)
    z = np.full(beta.shape, np.nan)
    both = fa & fb
    lk = 0.5 * (log_A[both] + log_B[both])
    # arcsinh(beta / 2 kappa) - delta, with beta / 2 kappa formed in log scale
    ratio = np.sign(beta[both]) * np.exp(np.log(np.abs(beta[both]) + 1e-300) - lk - np.log(2.0))
    z[both] = np.arcsinh(ratio) - 0.5 * (log_A[both] - log_B[both])
    with np.errstate(divide="ignore", invalid="ignore"):
        only_a = fa & ~fb & (beta > 0)
        z[only_a] = np.log(beta[only_a]) - log_A[only_a]
        only_b = ~fa & fb & (beta < 0)
        z[only_b] = log_B[only_b] - np.log(-beta[only_b])
    return z


def _row_space_multiplier(X, z, gram_factor=None):
    """``argmin_nu ||X^T nu - z||`` for X (n, D), z (D,).

    By the normal equations ``X X^T nu = X z`` when X is well conditioned
    (:func:`featreuse.solvers.reduced_flow.gram_cholesky`, or ``gram_factor``, that
    factor already computed for this X); otherwise by a rank-revealing least-squares
    solve (LAPACK gelsy).
    """
    L = gram_factor
    if L is None and X.shape[0] <= X.shape[1]:
        L = gram_cholesky(X)
    if L is not None:
        return scipy.linalg.cho_solve((L, True), X @ z, check_finite=False)
    return scipy.linalg.lstsq(X.T, z, lapack_driver="gelsy")[0]


def entropy_certificate(X, y, beta, log_A, log_B, gram_factor=None):
    """KKT residual and duality gap of (P-ent) at ``beta``.

    Stationarity asks that ``phi'(beta) = X^T nu`` on every movable
    coordinate: we measure the relative distance of ``phi'(beta)`` from the
    row space of ``X`` (restricted to those coordinates) and, with the
    least-squares ``nu``, the relative Lagrangian duality gap. ``gram_factor``:
    the lower Cholesky factor of ``X X^T`` (n, n) if already at hand (used when every
    coordinate is movable).

    Returns
    -------
    dict
        ``interpolation`` (relative residual), ``stationarity``,
        ``duality_gap``, ``primal``, ``dual``, ``kkt`` = max of the first two.
    """
    z_star = _z_of_beta(beta, log_A, log_B)
    ok = np.isfinite(z_star)
    interp = relative_residual(X, beta, y)
    primal = float(np.sum(entropy_terms(beta, log_A, log_B)))
    if not np.any(ok):
        stat, dual = 0.0, primal
    else:
        Xs = X if ok.all() else X[:, ok]
        nu = _row_space_multiplier(Xs, z_star[ok], gram_factor if ok.all() else None)
        norm = np.linalg.norm(z_star[ok])
        stat = float(np.linalg.norm(Xs.T @ nu - z_star[ok]) / norm) if norm > 0 else 0.0
        z = X.T @ nu
        fa, fb = np.isfinite(log_A), np.isfinite(log_B)
        kappa = np.where(fa & fb, np.exp(0.5 * (np.where(fa, log_A, 0) + np.where(fb, log_B, 0))), 0)
        with np.errstate(over="ignore"):
            conj = (np.where(fa, np.exp(np.where(fa, log_A, 0) + z), 0.0)
                    + np.where(fb, np.exp(np.where(fb, log_B, 0) - z), 0.0) - 2 * kappa)
        dual = float(y @ nu - np.sum(conj))
    return {"interpolation": interp, "stationarity": stat, "kkt": max(interp, stat),
            "duality_gap": relative_gap(primal, dual), "primal": primal, "dual": dual}


def check_log_AB(log_A, log_B, D):
    """Validate log flow constants (D,): finite or ``-inf``, never NaN or ``+inf``."""
    out = []
    for name, v in (("log_A", log_A), ("log_B", log_B)):
        arr = as_real_array(v, name)
        if arr.shape != (D,):
            raise InputError(f"{name} must have shape ({D},), got {arr.shape}")
        if np.any(np.isnan(arr)) or np.any(arr == np.inf):
            raise InputError(f"{name} must be finite or -inf (coordinate absent)")
        out.append(arr)
    return out


def entropy_program(X, y, log_A, log_B, backend="fast", solver=None, solver_options=None,
                    tol=1e-10):
    """Solve (P-ent) for log flow constants ``log_A, log_B`` (D,) (``-inf`` allowed).

    The engine behind :func:`implicit_bias` and :func:`ptft_ideal`; see
    :func:`implicit_bias` for the parameters. ``X``, ``y`` must already be
    checked float arrays.
    """
    t0 = time.perf_counter()
    n, D = X.shape
    log_A, log_B = check_log_AB(log_A, log_B, D)
    check_backend(backend)
    check_scalar(tol, "tol", low=0.0)
    fa, fb = np.isfinite(log_A), np.isfinite(log_B)
    movable = fa | fb
    info, gram_factor = {}, None
    if not np.any(movable):
        # every coordinate frozen (A = B = 0): beta = 0 is the only candidate
        if np.any(y):
            raise InfeasibleError("init: every coordinate has A = B = 0, so beta stays 0 and "
                                  "cannot fit a nonzero y")
        beta, z = np.zeros(D), np.zeros(D)
        solver_name = "trivial"
    elif backend == "fast":
        end = flow_end(X, y, log_A, log_B, tol=tol)
        # the certificate reuses the Cholesky factor of X X^T behind the row-space basis
        gram_factor = None if end.row_space is None else end.row_space.gram_factor
        if not end.interpolates:
            raise InfeasibleError("y is not in the range of X: no interpolating beta exists "
                                  "(the flow ends at a least-squares fit instead)")
        if not end.converged:
            raise SolverError(f"reduced-flow Newton stopped at relative residual "
                              f"{end.residual:.2e} > tol = {tol:g}", status="max_iter")
        beta, z = end.beta, end.z
        solver_name = "reduced_flow"
        info["iterations"] = end.iterations
    else:
        solver_name = check_solver(solver)
        require_interpolable(X[:, movable], y, X_name="X (movable coordinates)")
        idx_a, idx_b = np.flatnonzero(fa), np.flatnonzero(fb)
        key = ("entropy", digest(X), digest(idx_a), digest(idx_b))
        (prob, nu, par), hit = CACHE.get(key, lambda: _build(X, idx_a, idx_b))
        par["y"].value = y
        if idx_a.size:
            par["log_a"].value = log_A[idx_a]
        if idx_b.size:
            par["log_b"].value = log_B[idx_b]
        try:
            opts = (dict(ENTROPY_CLARABEL) if solver_options is None and solver_name == "CLARABEL"
                    else solver_options)
            info["solve_s"] = solve(prob, solver_name, opts, "y is not in the range of X")
        except SolverError as exc:
            if exc.status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
                raise InfeasibleError(
                    "init: coordinates with A = 0 or B = 0 are sign-constrained and cannot "
                    f"fit y (dual unbounded, status {exc.status})") from None
            raise
        info["cache_hit"] = hit
        z = X.T @ np.asarray(nu.value, dtype=float)
        beta = _beta_of_z(z, log_A, log_B)
    cert = entropy_certificate(X, y, beta, log_A, log_B, gram_factor)
    info.update(z=z, stationarity=cert["stationarity"], duality_gap=cert["duality_gap"],
                dual_objective=cert["dual"])
    return ConvexResult(beta=beta, objective=cert["primal"], status="optimal",
                        primal_residual=cert["interpolation"], certificate=cert["kkt"],
                        certificate_kind="kkt_residual", solver=solver_name,
                        wall_s=time.perf_counter() - t0, info=info)


def implicit_bias(X, y, init=1e-3, backend="fast", solver=None, solver_options=None, tol=1e-10):
    """Interpolant selected by the gradient flow of a single-task diagonal network.

    Solves (P-ent) ``min sum_d kappa_d q(beta_d / kappa_d) - delta_d beta_d``
    s.t. ``X beta = y`` for the flow constants of ``init``; for a scalar
    ``alpha`` this is ``min Q_alpha(beta)``, ``kappa = alpha^2``, ``delta = 0``.

    Parameters
    ----------
    X : array_like (n, D)
        Design matrix, rows are samples.
    y : array_like (n,)
        Labels; must lie in the range of ``X``.
    init : float or array_like (4, D)
        Scalar ``alpha >= 0`` or explicit ``w+, v+, w-, v-`` (e.g. a
        finetuning init from :func:`featreuse.solvers.diagonal.finetune_init`).
        Coordinates with ``A = 0`` or ``B = 0`` are sign-constrained; with both
        zero they are frozen at 0.
    backend : {"fast", "cvxpy"}
        ``"fast"``: damped Newton on the dual (:mod:`featreuse.solvers.reduced_flow`);
        ``"cvxpy"``: exponential-cone dual (reference).
    solver, solver_options
        cvxpy solver (default Clarabel with tolerances 1e-12) and options,
        ``backend="cvxpy"`` only. The exponential-cone program loses accuracy
        for large ``alpha`` (``beta / kappa`` small), measured in docs/convex.md.
    tol : float
        Relative interpolation tolerance of the fast backend.

    Returns
    -------
    ConvexResult
        ``beta`` (D,); ``objective`` the (P-ent) value; ``certificate`` the KKT
        residual (interpolation and stationarity, relative); ``info`` holds
        ``z`` (D,) with ``beta = A e^z - B e^-z``, the stationarity residual and
        the relative ``duality_gap``.

    Raises
    ------
    InfeasibleError
        ``y`` is not in the range of ``X``, or sign constraints cannot fit it.
    SolverError
        The solver stopped without an optimal solution (``.status``).
    """
    X, y = check_data(X, y)
    params = single_init(init, X.shape[1], name="init")
    log_A, log_B = log_AB(params)
    return entropy_program(X, y, log_A, log_B, backend=backend, solver=solver,
                           solver_options=solver_options, tol=tol)


def ptft_ideal(X, y, beta_aux, rescale=1.0, readout_init=1e-3, backend="fast", solver=None,
               solver_options=None, tol=1e-10):
    """LL's idealised PT+FT program ``min sum_d k_d q(beta_d / k_d) s.t. X beta = y``.

    ``k_d = s^2 |beta_aux,d| + c^2`` with ``s`` = ``rescale`` and ``c`` =
    ``readout_init``: (P-ent) with ``A = B = k``. Features with ``k_d = 0``
    are frozen at 0.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    beta_aux : array_like (D,)
        Pretrained (auxiliary-task) predictor.
    rescale : float
        First-layer rescaling ``s > 0``.
    readout_init : float
        Readout re-initialisation ``c >= 0``.
    backend, solver, solver_options, tol
        As in :func:`implicit_bias`.

    Returns
    -------
    ConvexResult
        As :func:`implicit_bias`; the objective is ``sum k q(beta / k)``.
    """
    X, y = check_data(X, y)
    beta_aux = check_vector(beta_aux, "beta_aux", X.shape[1])
    check_scalar(rescale, "rescale", low=0.0)
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    k = rescale ** 2 * np.abs(beta_aux) + readout_init ** 2
    with np.errstate(divide="ignore"):
        log_k = np.log(k)
    return entropy_program(X, y, log_k, log_k, backend=backend, solver=solver,
                           solver_options=solver_options, tol=tol)
