"""Public trainers of diagonal networks: single task, multi-task, finetuning.

``method="gd"`` is LL's discrete algorithm (numba, :mod:`solvers.gd_kernels`);
``method="flow"`` is the continuous gradient flow: exact for the single task
and finetuning (:mod:`solvers.reduced_flow`, :mod:`solvers.readout_flow`),
integrated with error control for multi-task (:mod:`solvers.multi_flow`).
"""
import time
import warnings

import numpy as np

from . import diagonal
from .errors import ConvergenceWarning, DivergenceError, InputError
from .gd_kernels import CONVERGED, DIVERGED, MAX_STEPS, gd_multi_kernel, gd_single
from .multi_flow import multi_flow
from .readout_flow import readout_flow
from .reduced_flow import beta_of_z, flow_end, flow_trajectory, row_space
from .results import MultiResult, SingleResult
from .validation import check_choice, check_data, check_scalar, check_task_list

METHODS = ("gd", "flow")
TRAIN_MODES = ("all", "readout")
DIVERGE_AT = 100.0


def _check_common(method, lr, tol, max_steps, max_restarts):
    check_choice(method, METHODS, "method")
    check_scalar(lr, "lr", low=0.0)
    check_scalar(tol, "tol", low=0.0, low_inclusive=True)
    check_scalar(max_steps, "max_steps", low=0, low_inclusive=True, integer=True)
    check_scalar(max_restarts, "max_restarts", low=0, low_inclusive=True, integer=True)


def _check_times(times):
    if times is None:
        return None
    times = np.atleast_1d(np.asarray(times, dtype=float))
    if times.ndim != 1 or np.any(np.isnan(times)) or np.any(times < 0) or np.any(np.diff(times) <= 0):
        raise InputError("times must be a 1-d increasing array of times >= 0 (np.inf allowed last)")
    if np.any(np.isinf(times[:-1])):
        raise InputError("times: only the last entry may be np.inf")
    return times


def _gd_status(status, restarts, lr, max_steps, what):
    if status == DIVERGED:
        raise DivergenceError(
            f"lr: gradient descent still diverged after {restarts} restarts "
            f"(last lr {lr:.3g}); lower lr or raise max_restarts")
    if status == MAX_STEPS:
        warnings.warn(f"{what}: gradient descent stopped at max_steps={max_steps} before reaching tol",
                      ConvergenceWarning, stacklevel=3)
    return status == CONVERGED


def train_single(X, y, init=1e-3, method="flow", lr=0.1, train="all", tol=1e-10,
                 max_steps=10 ** 6, max_restarts=10, times=None, flow_tol=1e-12):
    """Train a single-task diagonal network on the MSE.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    init : float or array_like (4, D)
        alpha > 0 (all four vectors alpha, LL's init) or explicit ``w+, v+, w-, v-``.
    method : {"flow", "gd"}
        ``"flow"``: the exact gradient flow (its end, or ``times``).
        ``"gd"``: LL's full-batch GD with learning rate ``lr``.
    lr : float
        GD learning rate on the MSE (restarted at lr/10 on divergence).
    train : {"all", "readout"}
        Train all parameters, or the readouts only (first layer frozen).
    tol : float
        GD stops when the training MSE is below ``tol``.
    max_steps, max_restarts : int
        GD budget per attempt, and learning-rate restarts allowed.
    times : array_like, optional
        Flow only: return the trajectory at these times (``np.inf`` = end).
    flow_tol : float
        Flow end: relative interpolation residual at which Newton stops.

    Returns
    -------
    SingleResult
    """
    X, y = check_data(X, y)
    D = X.shape[1]
    init = diagonal.single_init(init, D)
    _check_common(method, lr, tol, max_steps, max_restarts)
    check_choice(train, TRAIN_MODES, "train")
    times = _check_times(times)
    if method == "gd" and times is not None:
        raise InputError("times: only method='flow' records a trajectory")
    return _train_single_checked(X, y, init, method, lr, train, tol, max_steps, max_restarts,
                                 times, flow_tol, rs=None)


def _train_single_checked(X, y, init, method, lr, train, tol, max_steps, max_restarts, times,
                          flow_tol, rs):
    start = time.perf_counter()
    if method == "gd":
        params, loss, steps, restarts, lrs, status = gd_single(
            X, y, init[None], np.array([float(lr)]), float(tol), int(max_steps),
            train == "readout", int(max_restarts), DIVERGE_AT)
        converged = _gd_status(status[0], restarts[0], lrs[0], max_steps, "train_single")
        params = params[0]
        return SingleResult(diagonal.beta_single(params), params, float(loss[0]), int(steps[0]),
                            converged, "gd", init, train, float(lrs[0]), int(restarts[0]),
                            wall_s=time.perf_counter() - start)
    if train == "readout":
        all_params, losses = readout_flow(X, y, init, times)
        params = all_params[-1]
        traj = None if times is None else diagonal.beta_single(all_params)
        return SingleResult(diagonal.beta_single(params), params, float(losses[-1]), 0, True,
                            "flow", init, train, times=times, trajectory=traj,
                            wall_s=time.perf_counter() - start)
    log_A, log_B = diagonal.log_AB(init)
    if rs is None and times is not None and times.size and np.isfinite(times[0]):
        rs = row_space(X, y)  # the trajectory needs the SVD; share it with the end
    steps, info = 0, {}
    traj = None
    if times is None or np.isinf(times[-1]):
        end = flow_end(X, y, log_A, log_B, tol=flow_tol, rs=rs)
        z, steps, converged = end.z, end.iterations, end.converged
        info.update(newton_iterations=end.iterations, residual=end.residual,
                    interpolates=end.interpolates)
        if not converged:
            warnings.warn(f"train_single: Newton stopped at relative residual {end.residual:.2e} "
                          f"> flow_tol={flow_tol:g}", ConvergenceWarning, stacklevel=3)
    if times is not None:
        finite = times[np.isfinite(times)]
        betas = []
        if finite.size:
            tr = flow_trajectory(X, y, log_A, log_B, finite, rs=rs)
            betas.append(tr.beta)
            steps += tr.steps
            info.update(ode_steps=tr.steps, nfev=tr.nfev)
            if not np.isinf(times[-1]):
                z, converged = tr.z[-1], True
        if np.isinf(times[-1]):
            betas.append(end.beta[None])
        traj = np.concatenate(betas)
    params = diagonal.params_at(init, z)
    # beta from z directly: w+ v+ - w- v- cancels catastrophically when the weights are large
    beta, _ = beta_of_z(z, log_A, log_B)
    loss = float(np.mean((X @ beta - y) ** 2))
    return SingleResult(beta, params, loss, int(steps), bool(converged), "flow", init, train,
                        times=times, trajectory=traj, wall_s=time.perf_counter() - start,
                        info=info)


def train_single_batch(X, y, inits, method="flow", lr=0.1, train="all", tol=1e-10,
                       max_steps=10 ** 6, max_restarts=10, flow_tol=1e-12):
    """Train R single-task networks that share (X, y), in one pass over X per step.

    Parameters
    ----------
    inits : sequence of R inits (floats or (4, D) arrays), or an array (R, 4, D)
    lr : float or sequence of R floats
    Other parameters as :func:`train_single`.

    Returns
    -------
    list of SingleResult, in the order of ``inits``. A GD run that diverges
    past its restarts raises :class:`DivergenceError` naming its index.
    """
    X, y = check_data(X, y)
    D = X.shape[1]
    if isinstance(inits, np.ndarray) and inits.ndim == 3:
        inits = list(inits)
    if not isinstance(inits, (list, tuple)) or len(inits) == 0:
        raise InputError("inits must be a non-empty sequence of inits (or an array (R, 4, D))")
    init_arr = np.stack([diagonal.single_init(a, D, name=f"inits[{i}]") for i, a in enumerate(inits)])
    R = init_arr.shape[0]
    lrs = np.broadcast_to(np.asarray(lr, dtype=float), (R,)).copy()
    for i, v in enumerate(lrs):
        check_scalar(float(v), f"lr[{i}]", low=0.0)
    _check_common(method, float(lrs[0]), tol, max_steps, max_restarts)
    check_choice(train, TRAIN_MODES, "train")
    if method == "flow":
        rs = row_space(X, y) if train == "all" else None
        return [_train_single_checked(X, y, init_arr[i], "flow", lrs[i], train, tol, max_steps,
                                      max_restarts, None, flow_tol, rs) for i in range(R)]
    start = time.perf_counter()
    params, loss, steps, restarts, lr_end, status = gd_single(
        X, y, init_arr, lrs, float(tol), int(max_steps), train == "readout", int(max_restarts),
        DIVERGE_AT)
    wall = (time.perf_counter() - start) / R
    out = []
    for i in range(R):
        try:
            conv = _gd_status(status[i], restarts[i], lr_end[i], max_steps, f"run {i}")
        except DivergenceError as exc:
            raise DivergenceError(f"inits[{i}]: {exc}") from None
        out.append(SingleResult(diagonal.beta_single(params[i]), params[i], float(loss[i]),
                                int(steps[i]), conv, "gd", init_arr[i], train, float(lr_end[i]),
                                int(restarts[i]), wall_s=wall))
    return out


def finetune(pretrained, X, y, rescale=1.0, readout_init=1e-3, train="all", method="flow", **kw):
    """Finetune a pretrained single-task network on a new task (LL's PT+FT).

    The first layer is multiplied by ``rescale`` (s), the readouts are reset to
    ``readout_init`` (c; ``None`` keeps them), then all parameters
    (``train="all"``, PT+FT) or the readouts only (``train="readout"``, PT+FT
    (LP)) are trained on (X, y).

    Parameters
    ----------
    pretrained : SingleResult or array_like (4, D)
    X, y, method, keyword arguments : as :func:`train_single`.

    Returns
    -------
    SingleResult (its ``init`` is the finetuning init).
    """
    params = pretrained.params if isinstance(pretrained, SingleResult) else pretrained
    init = diagonal.finetune_init(params, rescale, readout_init)
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] != init.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but the pretrained network has D = {init.shape[1]}")
    return train_single(X, y, init=init, method=method, train=train, **kw)


def task_weights_of(ns, task_weights):
    """Per-sample weights omega (T,): LL's 1/N, or task weight lambda_t / n_t."""
    ns = np.asarray(ns, dtype=float)
    if task_weights is None:
        return np.full(ns.shape, 1.0 / ns.sum())
    w = np.asarray(task_weights, dtype=float)
    if w.shape != ns.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise InputError(f"task_weights must be {ns.shape[0]} finite non-negative numbers, not all 0")
    return w / ns


def train_multi(Xs, ys, init=1e-3, method="flow", lr=0.1, weight_decay=0.0, task_weights=None,
                tol=1e-10, max_steps=10 ** 6, max_restarts=10, times=None, rtol=1e-6, **flow_kw):
    """Train a multi-task diagonal network (shared first layer, one readout per task).

    Loss ``sum_t omega_t ||X_t beta_t - y_t||^2 + weight_decay ||theta||^2`` with
    ``omega_t = 1/N`` (LL: one MSE over all N samples) or, given
    ``task_weights`` lambda, ``omega_t = lambda_t / n_t``.

    Parameters
    ----------
    Xs, ys : lists of T arrays (n_t, D) and (n_t,)
    init : float or array_like (T + 1, 2, D)
    method : {"flow", "gd"}
    weight_decay : float >= 0
    tol : float
        Data loss threshold (weight_decay = 0) or squared gradient-norm
        threshold (weight_decay > 0).
    times : array_like, optional
        Flow only: record beta at these times.
    rtol : float
        Flow only: relative local error tolerance of the integrator. The end
        point's accuracy is limited by the kernel-limit tail jump taken at
        loss ``tol`` (about 5e-6 relative in beta on the paper's problem), so
        the default 1e-6 costs a quarter of the time of 1e-8 for the same end
        accuracy; ask for 1e-8 or less for accurate trajectories.
    flow_kw : passed to :func:`solvers.multi_flow.multi_flow` (atol, max_time, ...).

    Returns
    -------
    MultiResult
    """
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    init = diagonal.multi_init(init, D, T)
    _check_common(method, lr, tol, max_steps, max_restarts)
    check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    omega = task_weights_of([X.shape[0] for X in Xs], task_weights)
    times = _check_times(times)
    start = time.perf_counter()
    if method == "gd":
        if times is not None:
            raise InputError("times: only method='flow' records a trajectory")
        Xcat = np.ascontiguousarray(np.concatenate(Xs))
        ycat = np.concatenate(ys)
        offsets = np.cumsum([0] + [X.shape[0] for X in Xs]).astype(np.int64)
        params, loss, steps, restarts, lrs, status = gd_multi_kernel(
            Xcat, ycat, offsets, omega, init[None], np.array([float(lr)]), float(weight_decay),
            float(tol), int(max_steps), int(max_restarts), DIVERGE_AT)
        converged = _gd_status(status[0], restarts[0], lrs[0], max_steps, "train_multi")
        return MultiResult(diagonal.beta_multi(params[0]), params[0], float(loss[0]), int(steps[0]),
                           converged, "gd", init, float(weight_decay), omega, float(lrs[0]),
                           int(restarts[0]), wall_s=time.perf_counter() - start)
    check_scalar(rtol, "rtol", low=0.0)
    res = multi_flow(Xs, ys, init, omega, weight_decay=float(weight_decay), times=times,
                     tol=tol, rtol=rtol, max_steps=max_steps, **flow_kw)
    if not res.converged:
        warnings.warn("train_multi: the flow integrator stopped before reaching tol",
                      ConvergenceWarning, stacklevel=2)
    return MultiResult(diagonal.beta_multi(res.params), res.params, float(res.loss), int(res.steps),
                       bool(res.converged), "flow", init, float(weight_decay), omega,
                       times=res.times, trajectory=res.trajectory,
                       wall_s=time.perf_counter() - start, info=dict(res.info))
