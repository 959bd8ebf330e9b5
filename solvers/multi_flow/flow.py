"""The driver of the multi-task flow: checks, the two integration phases, the end polish."""
import time
import warnings

import numpy as np

from ..diagonal import beta_multi, multi_init
from featreuse.errors import ConvergenceWarning, InputError, InputTypeError
from featreuse.validation import as_float_array, check_positive_array, check_scalar, check_task_list
from .gauss_newton import Kernel
from .polish import newton_polish, tail_jump
from .problem import Problem
from .result import MultiFlowResult
from .steppers import ORDER_EST, explicit_phase, rosenbrock_step

# Default atol: _ATOL_SCALE * rtol while a trajectory is recorded, rtol for the end alone
# (docs/multi_flow.md, "Error control").
_ATOL_SCALE = 0.1
# Least-squares end: L < L_ls (1 + _LS_RTOL) + tol, the slack covering the
# rounding of L when L_ls is large.
_LS_RTOL = 1e-12


def _check_times(times):
    if times is None:
        return None
    arr = as_float_array(times, "times", ndim=1)
    if np.any(arr < 0):
        raise InputError("times must be >= 0")
    if np.any(np.diff(arr) <= 0):
        raise InputError("times must be strictly increasing")
    return arr


def multi_flow(Xs, ys, init, sample_weights, weight_decay=0.0, times=None, tol=1e-10,
               rtol=1e-8, max_time=None, max_steps=100_000, progress=False, atol=None):
    """Integrate the gradient flow of a multi-task diagonal linear network.

    Parameters
    ----------
    Xs : list of T ndarrays (n_t, D)
        Inputs of each task, rows are samples.
    ys : list of T ndarrays (n_t,)
        Targets of each task.
    init : float or ndarray (T + 1, 2, D)
        Initial parameters; a scalar alpha sets every weight to alpha.
        ``init[0] = (w+, w-)`` is the shared layer, ``init[1 + t] = (v+^t, v-^t)``.
    sample_weights : array_like (T,)
        Per-sample weights ``omega_t >= 0`` of the loss
        ``L = sum_t omega_t ||X_t beta_t - y_t||^2`` (LL: ``omega_t = 1/N``;
        per-task weights lambda_t of a loss ``sum_t lambda_t MSE_t`` give
        ``omega_t = lambda_t / n_t``, :func:`featreuse.solvers.train.sample_weights_of`).
    weight_decay : float, default 0
        ``lambda >= 0``; the flow descends ``L + lambda ||theta||^2``.
    times : None or array_like (m,)
        None: integrate to the end.  Otherwise strictly increasing flow times
        ``>= 0`` (time in units where the flow is ``d theta/dt = -grad``, so that
        GD with learning rate ``eta`` after ``k`` steps approximates time
        ``eta k``); ``beta`` is recorded at each of them.
    tol : float, default 1e-10
        End criterion for ``times=None``: with ``lambda = 0`` the data loss
        ``L < tol``; with ``lambda > 0`` the squared gradient norm
        ``||grad(L + lambda ||theta||^2)||_2^2 < tol`` (the rate at which the
        flow still decreases its objective). With ``lambda = 0`` and a
        least-squares loss ``L_ls >= tol`` (some ``y_t`` outside range(X_t)),
        ``L < tol`` is out of reach: the flow ends at ``L < L_ls + tol``, the
        least-squares fit, with ``converged=False`` and a warning.
    rtol : float, default 1e-8
        Relative local error tolerance per step (root-mean-square over the
        weights of ``|error| / (atol + rtol |weight|)``).
    max_time : float or None
        Largest flow time to integrate to (``times=None`` only); reaching it
        before ``tol`` warns and returns ``converged=False``.
    max_steps : int, default 100000
        Largest number of step attempts.
    progress : bool, default False
        Show a tqdm progress bar of the steps.
    atol : float or None
        Absolute local error tolerance per weight; None means ``0.1 * rtol``
        when ``times`` are given (weights below 0.1 are controlled in absolute
        terms) and ``rtol`` for the end alone (weights below 1). The end
        does not need the small weights' path to the trajectory's accuracy
        (docs/multi_flow.md measures both choices against a tight reference).

    Returns
    -------
    MultiFlowResult

    Raises
    ------
    InputError, InputTypeError
        Malformed arguments (the message names the argument).

    Warns
    -----
    ConvergenceWarning
        ``max_steps`` or ``max_time`` reached before the end criterion, or the
        end is a least-squares fit whose loss is not below ``tol``.

    Notes
    -----
    See docs/multi_flow.md for the method, its error control and the tail jump.
    """
    wall0 = time.perf_counter()
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    P = multi_init(init, D, T)
    omega = check_positive_array(sample_weights, "sample_weights")
    if omega.shape != (T,):
        raise InputError(f"sample_weights must have shape ({T},), got {omega.shape}")
    lam = float(check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True))
    times = _check_times(times)
    tol = float(check_scalar(tol, "tol", low=0.0))
    rtol = float(check_scalar(rtol, "rtol", low=0.0))
    if max_time is not None:
        max_time = float(check_scalar(max_time, "max_time", low=0.0))
    max_steps = check_scalar(max_steps, "max_steps", low=1, low_inclusive=True, integer=True)
    if not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(f"progress must be a bool, got {type(progress).__name__}")

    prob = Problem(Xs, ys, omega, lam)
    if atol is None:
        atol = rtol if times is None else _ATOL_SCALE * rtol
    else:
        atol = float(check_scalar(atol, "atol", low=0.0))
    info = dict(rejected=0, kernel_builds=0, kernel_float64=0, linear_solves=0, wall_kernel_s=0.0,
                jump=False, jump_size=0.0, jump_error=np.nan, loss_before_jump=np.nan)

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(desc="multi_flow", unit="step")

    traj = None
    if times is not None:
        traj = np.empty((times.size, D, T))
        t_end = float(times[-1])
    else:
        t_end = np.inf if max_time is None else max_time

    # Without weight decay the end criterion is L < tol, unless some y_t lies
    # outside range(X_t) with a least-squares loss L_ls >= tol: the flow then
    # tends to the least-squares fit, and it ends once L < L_ls + tol
    # (converged=False: the loss cannot reach tol).
    end_loss, least_squares = tol, False
    if times is None and lam == 0.0:
        ls_loss, ls_parts = prob.least_squares_loss()
        info["least_squares_loss"] = ls_loss
        least_squares = ls_loss >= tol
        if least_squares:
            end_loss = ls_loss * (1.0 + _LS_RTOL) + tol

    t = 0.0
    F, loss = prob.rhs_loss(P)
    steps, attempts, converged = 0, 0, False

    def done():
        if times is not None:
            return False
        if lam == 0.0:
            return loss < end_loss
        return float(np.sum(F * F)) < tol

    # Phase 1 (non-stiff): explicit DOP853 while its steps stay well inside its
    # stability region, i.e. h * rho < _STIFF_SWITCH with rho the largest
    # eigenvalue of the Gauss-Newton Hessian J^T W J.
    t, P, h, n1, a1, next_i = explicit_phase(prob, P, t_end, times, traj, rtol, atol,
                                              max_steps, done_loss=(end_loss if times is None
                                                                    and lam == 0.0 else None),
                                              bar=bar, info=info)
    steps, attempts = n1, a1
    info["wall_explicit_s"] = time.perf_counter() - wall0
    F, loss = prob.rhs_loss(P)
    kern, kern_age = None, 0

    def stage_solve(b, c):
        # the W-matrix is -(J0^T W J0 + 2 lam I): (c I - A) = (c + 2 lam) I + J0^T W J0
        info["linear_solves"] += 1
        c = c + 2.0 * lam
        # a step's four stages share c, so a float64 redo happens before its first stage
        tk, before = time.perf_counter(), kern.decompositions
        kern.prepare(c)
        if kern.decompositions > before:
            info["kernel_float64"] += 1
            info["wall_kernel_s"] += time.perf_counter() - tk
        return kern.solve(b, c, c if lam == 0.0 else 0.0)

    while True:
        while times is not None and next_i < times.size and times[next_i] <= t:
            traj[next_i] = beta_multi(P)
            next_i += 1
        if times is not None and next_i == times.size:
            converged = True
            break
        if done():
            converged = True
            break
        if t >= t_end or attempts >= max_steps:
            break
        if kern is None:
            tk = time.perf_counter()
            kern, kern_age = Kernel(prob, P), 0
            info["kernel_builds"] += 1
            info["wall_kernel_s"] += time.perf_counter() - tk
        h_try = h
        target = times[next_i] if times is not None else t_end
        last = t + h_try >= target
        if last:
            h_try = target - t
        attempts += 1
        P1, E = rosenbrock_step(prob.rhs, stage_solve, P, F, h_try)
        sc = atol + rtol * np.maximum(np.abs(P), np.abs(P1))
        err = float(np.sqrt(np.mean((E / sc) ** 2))) if np.all(np.isfinite(P1)) else np.inf
        if err <= 1.0:
            t = target if last else t + h_try
            P = P1
            F, loss = prob.rhs_loss(P)
            steps += 1
            kern_age += 1
            fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** (-1.0 / ORDER_EST)))
            if not last:
                h = h_try * fac
            elif fac < 1.0:
                h = min(h, h_try * fac)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(t=f"{t:.3g}", loss=f"{loss:.3g}", refresh=False)
        else:
            info["rejected"] += 1
            if kern_age > 0:
                kern = None  # retry with the Jacobian at the current point
            else:
                h = h_try * max(0.2, 0.9 * err ** (-1.0 / ORDER_EST)) if np.isfinite(err) \
                    else h_try * 0.2
    if bar is not None:
        bar.close()

    info["final_time"] = t
    why = "max_steps" if attempts >= max_steps else "max_time"
    if times is None and lam > 0.0 and (converged or why == "max_steps"):
        # Newton from where the integrator stopped; it may meet tol the
        # integrator could not (the flow's approach to these points can be a
        # power law, docs/multi_flow.md).
        P, loss, F = newton_polish(prob, P, loss, F, info)
        converged = converged or float(np.sum(F * F)) < tol
    if times is None and not converged:
        warnings.warn(f"multi_flow stopped at {why} (flow time {t:.4g}, loss {loss:.3g}) before "
                      f"tol={tol:g}", ConvergenceWarning, stacklevel=2)

    if times is None and lam == 0.0 and converged:
        P, loss, F = tail_jump(prob, P, loss, F, info)
        if least_squares:
            converged = False  # the end is the least-squares fit, with loss >= tol
            names = " and ".join(f"ys[{t}] is not in the range of Xs[{t}]"
                                 for t in range(T) if ls_parts[t] >= tol / T)
            warnings.warn(f"multi_flow: {names}, so the flow ends at the least-squares fit; its "
                          f"train loss {loss:.3g} is not below tol={tol:g}", ConvergenceWarning,
                          stacklevel=2)

    info["grad_norm"] = float(np.linalg.norm(F))
    info["rhs_evals"] = prob.rhs_evals
    info["wall_s"] = time.perf_counter() - wall0
    return MultiFlowResult(params=P, loss=float(loss), steps=steps, converged=converged,
                           times=times, trajectory=traj, info=info)
