"""Public trainers of diagonal networks: single task, multi-task, finetuning.

``method="gd"`` is LL's discrete algorithm (numba, :mod:`featreuse.solvers.gd_kernels`);
``method="flow"`` is the continuous gradient flow: exact for the single task
and finetuning (:mod:`featreuse.solvers.reduced_flow`, :mod:`featreuse.solvers.readout_flow`),
integrated with error control for multi-task (:mod:`featreuse.solvers.multi_flow`).
"""
import time
import warnings

import numpy as np

from . import diagonal
from featreuse.errors import ConvergenceWarning, DivergenceError, InputError
from .gd_kernels import CONVERGED, DIVERGED, MAX_STEPS, gd_multi_kernel, gd_single
from .multi_flow import multi_flow
from .readout_flow import readout_flow
from .reduced_flow import beta_of_z, flow_end, flow_trajectory, row_space
from .results import MultiResult, SingleResult
from featreuse.validation import as_real_array, check_choice, check_data, check_scalar, check_task_list

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
    times = np.atleast_1d(as_real_array(times, "times"))
    if (times.ndim != 1 or times.size == 0 or np.any(np.isnan(times)) or np.any(times < 0)
            or np.any(np.diff(times) <= 0)):
        raise InputError("times must be a 1-d increasing array of times >= 0 (np.inf allowed last)")
    if np.any(np.isinf(times[:-1])):
        raise InputError("times: only the last entry may be np.inf")
    return times


def _gd_status(status, restarts, lr, max_steps, what, stacklevel):
    if status == DIVERGED:
        raise DivergenceError(
            f"lr: gradient descent still diverged after {restarts} restarts "
            f"(last lr {lr:.3g}); lower lr or raise max_restarts")
    if status == MAX_STEPS:
        warnings.warn(f"{what}: gradient descent stopped at max_steps={max_steps} before reaching tol",
                      ConvergenceWarning, stacklevel=stacklevel)
    return status == CONVERGED


def _flow_end_converged(loss, tol, what, reason, stacklevel):
    """``converged`` of a flow's end (t = inf): its train loss is below ``tol``.

    Otherwise warns :class:`ConvergenceWarning` with ``reason`` (why the end
    cannot fit y) and returns False.
    """
    if loss < tol:
        return True
    warnings.warn(f"{what}: {reason}; its train loss {loss:.3g} is not below tol={tol:g}",
                  ConvergenceWarning, stacklevel=stacklevel)
    return False


def train_single(X, y, init=1e-3, method="flow", lr=0.1, train="all", tol=1e-10,
                 max_steps=10 ** 6, max_restarts=10, times=None, flow_tol=1e-12):
    """Train a single-task diagonal network on the MSE.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    init : float or array_like (4, D)
        alpha > 0 (all four vectors alpha, LL's init) or explicit ``w+, v+, w-, v-``
        (every entry >= 0, see :func:`featreuse.solvers.diagonal.single_init`).
    method : {"flow", "gd"}
        ``"flow"``: the exact gradient flow (its end, or ``times``).
        ``"gd"``: LL's full-batch GD with learning rate ``lr``.
    lr : float
        GD learning rate on the MSE (restarted at lr/10 on divergence).
    train : {"all", "readout"}
        Train all parameters, or the readouts only (first layer frozen).
    tol : float
        Training MSE the run must get below to count as converged: GD stops
        there; the flow's end (t = inf) is checked against it.
    max_steps, max_restarts : int
        GD budget per attempt, and learning-rate restarts allowed.
    times : array_like, optional
        Flow only: return the trajectory at these times (``np.inf`` = end).
    flow_tol : float
        Flow end: relative interpolation residual at which Newton stops.

    Returns
    -------
    SingleResult

    Warns
    -----
    ConvergenceWarning
        The run ends with train loss not below ``tol`` (``converged=False``):
        GD stopped at ``max_steps``; or the flow's end is a least-squares fit
        (y is not in the range of X, e.g. noisy labels with n > D), or Newton
        stopped above ``flow_tol``.
    """
    return _train_single(X, y, init, method, lr, train, tol, max_steps, max_restarts, times,
                         flow_tol, what="train_single", stacklevel=3)


def _train_single(X, y, init, method="flow", lr=0.1, train="all", tol=1e-10, max_steps=10 ** 6,
                  max_restarts=10, times=None, flow_tol=1e-12, *, what, stacklevel):
    """Validate the arguments of :func:`train_single` and train.

    ``what`` names the public function in warnings; ``stacklevel`` is the
    ``warnings.warn`` stack level that points at the user from this frame
    (the private helpers below take it the same way from theirs).
    """
    X, y = check_data(X, y)
    D = X.shape[1]
    init = diagonal.single_init(init, D)
    _check_common(method, lr, tol, max_steps, max_restarts)
    check_choice(train, TRAIN_MODES, "train")
    check_scalar(flow_tol, "flow_tol", low=0.0)
    times = _check_times(times)
    if method == "gd" and times is not None:
        raise InputError("times: only method='flow' records a trajectory")
    return _train_single_checked(X, y, init, method, lr, train, tol, max_steps, max_restarts,
                                 times, flow_tol, rs=None, what=what, stacklevel=stacklevel + 1)


def _train_single_checked(X, y, init, method, lr, train, tol, max_steps, max_restarts, times,
                          flow_tol, rs, what, stacklevel):
    start = time.perf_counter()
    if method == "gd":
        params, loss, steps, restarts, lrs, status = gd_single(
            X, y, init[None], np.array([float(lr)]), float(tol), int(max_steps),
            train == "readout", int(max_restarts), DIVERGE_AT)
        converged = _gd_status(status[0], restarts[0], lrs[0], max_steps, what, stacklevel + 1)
        params = params[0]
        return SingleResult(diagonal.beta_single(params), params, float(loss[0]), int(steps[0]),
                            converged, "gd", init, train, float(lrs[0]), int(restarts[0]),
                            wall_s=time.perf_counter() - start)
    to_end = times is None or np.isinf(times[-1])
    if train == "readout":
        all_params, losses = readout_flow(X, y, init, times)
        params = all_params[-1]
        traj = None if times is None else diagonal.beta_single(all_params)
        converged = True  # a trajectory to a finite time reached it (exact)
        if to_end:
            converged = _flow_end_converged(
                float(losses[-1]), tol, what,
                "y is not in the range the readouts can fit (X on the features with "
                "w+^2 + w-^2 > 0), so the readout-only flow ends at the least-squares fit",
                stacklevel + 1)
        return SingleResult(diagonal.beta_single(params), params, float(losses[-1]), 0, converged,
                            "flow", init, train, times=times, trajectory=traj,
                            wall_s=time.perf_counter() - start)
    log_A, log_B = diagonal.log_AB(init)
    if rs is None and times is not None and times.size and np.isfinite(times[0]):
        rs = row_space(X, y)  # the trajectory needs the SVD; share it with the end
    steps, info = 0, {}
    traj = None
    end = None
    if to_end:
        end = flow_end(X, y, log_A, log_B, tol=flow_tol, rs=rs)
        z, steps = end.z, end.iterations
        info.update(newton_iterations=end.iterations, residual=end.residual,
                    interpolates=end.interpolates)
        if not end.converged:
            warnings.warn(f"{what}: Newton stopped at relative residual {end.residual:.2e} "
                          f"> flow_tol={flow_tol:g}", ConvergenceWarning, stacklevel=stacklevel)
    if times is not None:
        finite = times[np.isfinite(times)]
        betas = []
        if finite.size:
            tr = flow_trajectory(X, y, log_A, log_B, finite, rs=rs)
            betas.append(tr.beta)
            steps += tr.steps
            info.update(ode_steps=tr.steps, nfev=tr.nfev)
            if not to_end:
                z = tr.z[-1]
        if to_end:
            betas.append(end.beta[None])
        traj = np.concatenate(betas)
    params = diagonal.params_at(init, z)
    # beta from z directly: w+ v+ - w- v- cancels catastrophically when the weights are large
    beta, _ = beta_of_z(z, log_A, log_B)
    loss = float(np.mean((X @ beta - y) ** 2))
    converged = True  # a trajectory to a finite time reached it (exact)
    if end is not None:
        if not end.converged:
            converged = False  # warned above
        elif not end.interpolates:
            converged = _flow_end_converged(
                loss, tol, what, "y is not in the range of X, so the flow ends at the "
                "least-squares fit", stacklevel + 1)
        else:
            converged = _flow_end_converged(
                loss, tol, what, f"the flow end interpolates y only to relative residual "
                f"{end.residual:.2e} (flow_tol={flow_tol:g})", stacklevel + 1)
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
    list of SingleResult, in the order of ``inits``; ``converged`` means what
    it does for :func:`train_single` (and warns the same way, naming the run).
    A GD run that diverges past its restarts raises :class:`DivergenceError`
    naming its index.
    """
    X, y = check_data(X, y)
    D = X.shape[1]
    if isinstance(inits, np.ndarray) and inits.ndim == 3:
        inits = list(inits)
    if not isinstance(inits, (list, tuple)) or len(inits) == 0:
        raise InputError("inits must be a non-empty sequence of inits (or an array (R, 4, D))")
    init_arr = np.stack([diagonal.single_init(a, D, name=f"inits[{i}]") for i, a in enumerate(inits)])
    R = init_arr.shape[0]
    lr_arr = as_real_array(lr, "lr")
    if lr_arr.ndim > 1 or (lr_arr.ndim == 1 and lr_arr.shape[0] != R):
        raise InputError(f"lr must be a number or a sequence of {R} numbers (one per init), "
                         f"got shape {lr_arr.shape}")
    lrs = np.broadcast_to(lr_arr, (R,)).copy()
    for i, v in enumerate(lrs):
        check_scalar(float(v), f"lr[{i}]", low=0.0)
    _check_common(method, float(lrs[0]), tol, max_steps, max_restarts)
    check_choice(train, TRAIN_MODES, "train")
    check_scalar(flow_tol, "flow_tol", low=0.0)
    if method == "flow":
        rs = row_space(X, y) if train == "all" else None
        return [_train_single_checked(X, y, init_arr[i], "flow", lrs[i], train, tol, max_steps,
                                      max_restarts, None, flow_tol, rs,
                                      f"train_single_batch run {i}", stacklevel=3)
                for i in range(R)]
    start = time.perf_counter()
    params, loss, steps, restarts, lr_end, status = gd_single(
        X, y, init_arr, lrs, float(tol), int(max_steps), train == "readout", int(max_restarts),
        DIVERGE_AT)
    wall = (time.perf_counter() - start) / R
    out = []
    for i in range(R):
        try:
            conv = _gd_status(status[i], restarts[i], lr_end[i], max_steps,
                              f"train_single_batch run {i}", stacklevel=3)
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
    SingleResult (its ``init`` is the finetuning init); ``converged`` and
    its warnings as for :func:`train_single`.
    """
    params = pretrained.params if isinstance(pretrained, SingleResult) else pretrained
    init = diagonal.finetune_init(params, rescale, readout_init)
    X = as_real_array(X, "X")
    if X.ndim == 2 and X.shape[1] != init.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but the pretrained network has D = {init.shape[1]}")
    return _train_single(X, y, init, method=method, train=train, **kw, what="finetune",
                         stacklevel=3)


def sample_weights_of(ns, task_weights):
    """Per-sample weights omega (T,) from per-task weights.

    Parameters
    ----------
    ns : array_like (T,)
        Sample counts n_t.
    task_weights : array_like (T,) or None
        Per-task weights lambda_t (the loss is ``sum_t lambda_t MSE_t``), or
        None for LL's single MSE over all N = sum_t n_t samples.

    Returns
    -------
    ndarray (T,)
        ``omega_t = lambda_t / n_t``, or ``1 / N`` for every task.
    """
    ns = np.asarray(ns, dtype=float)
    if task_weights is None:
        return np.full(ns.shape, 1.0 / ns.sum())
    w = as_real_array(task_weights, "task_weights")
    if w.shape != ns.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise InputError(f"task_weights must be {ns.shape[0]} finite non-negative per-task "
                         f"weights, not all 0")
    return w / ns


def train_multi(Xs, ys, init=1e-3, method="flow", lr=0.1, weight_decay=0.0, task_weights=None,
                tol=1e-10, max_steps=10 ** 6, max_restarts=10, times=None, rtol=1e-6, **flow_kw):
    """Train a multi-task diagonal network (shared first layer, one readout per task).

    Loss ``sum_t omega_t ||X_t beta_t - y_t||^2 + weight_decay ||theta||^2``
    with per-sample weights ``omega_t = 1/N`` (LL: one MSE over all N
    samples) or, given per-task weights ``task_weights`` lambda,
    ``omega_t = lambda_t / n_t`` (the data term is ``sum_t lambda_t MSE_t``).
    The result's ``sample_weights`` are the omega_t used, so
    ``task_weights=res.sample_weights * ns`` reproduces a run.

    Parameters
    ----------
    Xs, ys : lists of T arrays (n_t, D) and (n_t,)
    init : float or array_like (T + 1, 2, D)
        alpha > 0, or explicit weights (see :func:`featreuse.solvers.diagonal.multi_init`).
    method : {"flow", "gd"}
    weight_decay : float >= 0
    task_weights : array_like (T,), optional
        Per-task weights lambda_t >= 0 (not all 0); None for LL's ``1/N``.
    tol : float
        Data loss threshold (weight_decay = 0) or squared gradient-norm
        threshold (weight_decay > 0); ``converged`` says whether the end met it.
    times : array_like, optional
        Flow only: record beta at these times.
    rtol : float
        Flow only: relative local error tolerance of the integrator. The end
        point's accuracy is limited by the kernel-limit tail jump taken at
        loss ``tol`` (about 5e-6 relative in beta on the paper's problem), so
        the default 1e-6 costs a quarter of the time of 1e-8 for the same end
        accuracy; ask for 1e-8 or less for accurate trajectories.
    flow_kw : passed to :func:`featreuse.solvers.multi_flow.multi_flow` (atol, max_time, ...).

    Returns
    -------
    MultiResult

    Warns
    -----
    ConvergenceWarning
        The end does not meet ``tol`` (``converged=False``): GD or the
        integrator stopped at ``max_steps`` (or ``max_time``), or, with
        ``weight_decay = 0``, some ``ys[t]`` is not in the range of ``Xs[t]``
        and the least-squares loss is not below ``tol`` (the flow then ends at
        the least-squares fit).
    """
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    init = diagonal.multi_init(init, D, T)
    _check_common(method, lr, tol, max_steps, max_restarts)
    check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    sample_weights = sample_weights_of([X.shape[0] for X in Xs], task_weights)
    times = _check_times(times)
    start = time.perf_counter()
    if method == "gd":
        if times is not None:
            raise InputError("times: only method='flow' records a trajectory")
        Xcat = np.ascontiguousarray(np.concatenate(Xs))
        ycat = np.concatenate(ys)
        offsets = np.cumsum([0] + [X.shape[0] for X in Xs]).astype(np.int64)
        params, loss, steps, restarts, lrs, status = gd_multi_kernel(
            Xcat, ycat, offsets, sample_weights, init[None], np.array([float(lr)]),
            float(weight_decay), float(tol), int(max_steps), int(max_restarts), DIVERGE_AT)
        converged = _gd_status(status[0], restarts[0], lrs[0], max_steps, "train_multi",
                               stacklevel=3)
        return MultiResult(diagonal.beta_multi(params[0]), params[0], float(loss[0]), int(steps[0]),
                           converged, "gd", init, float(weight_decay), sample_weights,
                           float(lrs[0]), int(restarts[0]), wall_s=time.perf_counter() - start)
    check_scalar(rtol, "rtol", low=0.0)
    res = multi_flow(Xs, ys, init, sample_weights, weight_decay=float(weight_decay), times=times,
                     tol=tol, rtol=rtol, max_steps=max_steps, **flow_kw)
    if times is not None and not res.converged:  # without times multi_flow warns itself
        warnings.warn("train_multi: the flow integrator stopped before the last of times",
                      ConvergenceWarning, stacklevel=2)
    return MultiResult(diagonal.beta_multi(res.params), res.params, float(res.loss), int(res.steps),
                       bool(res.converged), "flow", init, float(weight_decay), sample_weights,
                       times=res.times, trajectory=res.trajectory,
                       wall_s=time.perf_counter() - start, info=dict(res.info))
