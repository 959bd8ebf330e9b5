"""The training methods of a problem: the exact flow, GD (numba) and GD (torch loop).

Each ``*_methods`` function returns the problem's :class:`~.problem.Method`
objects for the given data and trainer settings. The single-task flow's path
is its exact trajectory (``times=[...]``), computed apart from the timed call;
GD's path is kept while it runs (:mod:`.gd_path`, :mod:`.torch_gd`).
"""
import numpy as np

from ..diagonal import beta_single
from ..train import train_multi, train_single
from .gd_path import gd_multi_path, gd_single_path
from .method_run import MethodRun, Path
from .problem import Method
from .sampling import sample_steps
from .torch_gd import multi_beta, multi_losses, single_beta, single_losses, torch_gd

#: the flow's path is cut after the first sample this close (relative) to its end
PATH_END_RTOL = 1e-12
#: integrator steps allowed to the multi-task flow (``max_steps`` is GD's budget)
FLOW_MAX_STEPS = 100_000


def _flow_times(lr, max_steps):
    """Flow times ``lr * k`` at GD's sample steps k, so the two paths line up."""
    return lr * sample_steps(max_steps).astype(float)


def _cut(times, betas, end):
    """Drop the samples after the first one within :data:`PATH_END_RTOL` of ``end``."""
    scale = max(float(np.linalg.norm(end)), 1e-300)
    close = [float(np.linalg.norm(b - end)) / scale <= PATH_END_RTOL for b in betas]
    m = close.index(True) + 1 if any(close) else len(times)
    nan = np.full(m, np.nan)
    return Path(step=nan, flow_time=np.asarray(times[:m], dtype=float), wall_s=nan.copy(),
                beta=np.asarray(betas[:m]))


def _gd_run(out, what):
    params, loss, steps, lr, restarts, converged, timed_out, path = out
    return MethodRun(what(params), converged, steps, timed_out=timed_out, path=path,
                     info={"lr": lr, "restarts": restarts, "loss": loss})


def _torch_run(out):
    return MethodRun(out["beta"], out["converged"], out["steps"], timed_out=out["timed_out"],
                     path=out["path"], info={"lr": out["lr"], "restarts": out["restarts"],
                                             "loss": out["loss"]})


def single_task_methods(X, y, init, lr, tol, max_steps, max_restarts, flow_exact):
    """flow, gd and gd-torch of a single-task network from ``init`` (4, D).

    The flow is :func:`featreuse.solvers.train_single` (``method="flow"``): its end by
    Newton on the reduced dual, the solver the ``"newton"`` backend shares.
    ``flow_exact`` says whether theory makes the flow's end the program's
    minimiser ((P-ent) of ``init``: yes; min-l1: only as ``init -> 0``).
    """
    def flow(deadline, record):
        res = train_single(X, y, init, method="flow", tol=tol)
        return MethodRun(res.beta, res.converged, res.steps,
                         info={"residual": res.info.get("residual")})

    def flow_path(run):
        times = _flow_times(lr, max_steps)
        traj = train_single(X, y, init, method="flow", tol=tol, times=times).trajectory
        return _cut(times, traj, run.beta)

    def gd(deadline, record):
        return _gd_run(gd_single_path(X, y, init, lr, tol, max_steps, max_restarts, deadline,
                                      record), beta_single)

    def gd_torch(deadline, record):
        return _torch_run(torch_gd(single_losses(X, y), init, single_beta, lr, tol, max_steps,
                                   max_restarts, deadline=deadline, record=record))

    return [Method("flow", flow, "newton-dual", exact=flow_exact, path=flow_path),
            Method("gd", gd, "gd-numba", exact=False),
            Method("gd-torch", gd_torch, "gd-torch", exact=False)]


def multi_task_methods(Xs, ys, init, sample_weights, weight_decay, lr, tol, max_steps,
                       max_restarts, flow_exact):
    """flow, gd and gd-torch of a multi-task network (shared first layer) from ``init``.

    ``init`` is (T + 1, 2, D); ``sample_weights`` (T,) the per-sample weights
    omega_t; ``flow_exact`` says whether theory makes the flow's end the
    program's minimiser (weight decay: yes; small init without it: a gap).
    ``max_steps`` is GD's budget; the flow's integrator gets
    :data:`FLOW_MAX_STEPS` (with weight decay it then ends by its Newton polish).
    """
    task_weights = sample_weights * np.array([X.shape[0] for X in Xs], dtype=float)

    def flow(deadline, record):
        res = train_multi(Xs, ys, init, method="flow", weight_decay=weight_decay,
                          task_weights=task_weights, tol=tol, max_steps=FLOW_MAX_STEPS)
        return MethodRun(res.beta, res.converged, res.steps,
                         info={"final_time": res.info.get("final_time"),
                               "grad_norm": res.info.get("grad_norm")})

    def flow_path(run):
        times = _flow_times(lr, max_steps)
        end = run.info.get("final_time")
        if end is not None and np.isfinite(end):
            times = times[times < end]
        if times.size == 0:
            return None
        res = train_multi(Xs, ys, init, method="flow", weight_decay=weight_decay,
                          task_weights=task_weights, tol=tol, max_steps=FLOW_MAX_STEPS,
                          times=times)
        return _cut(times, res.trajectory, run.beta)

    def gd(deadline, record):
        return _gd_run(gd_multi_path(Xs, ys, init, sample_weights, weight_decay, lr, tol,
                                     max_steps, max_restarts, deadline, record),
                       lambda p: (p[0, 0] * p[1:, 0] - p[0, 1] * p[1:, 1]).T)

    def gd_torch(deadline, record):
        return _torch_run(torch_gd(multi_losses(Xs, ys, sample_weights, weight_decay), init,
                                   multi_beta, lr, tol, max_steps, max_restarts,
                                   weight_decay=weight_decay, deadline=deadline, record=record))

    return [Method("flow", flow, "multi-flow", exact=flow_exact, path=flow_path),
            Method("gd", gd, "gd-numba", exact=False),
            Method("gd-torch", gd_torch, "gd-torch", exact=False)]
