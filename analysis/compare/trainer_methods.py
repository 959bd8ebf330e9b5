"""The training methods of a problem: the exact flow, GD (numba) and GD (torch loop).

Each ``*_methods`` function returns the problem's :class:`~.problem.Method`
objects for the given data and trainer settings. The single-task flow's path
is its exact trajectory (``times=[...]``), computed apart from the timed call;
GD's path is kept while it runs (:mod:`.gd_path`; for ``gd-torch``, LL's torch loop
:mod:`featreuse.nets.diagonal.reference` with restarts, sampled iterates and a deadline,
on one torch thread, as LL's loop was measured). torch is imported when ``gd-torch`` runs.
"""
import numpy as np

from featreuse.solvers.diagonal import beta_single
from featreuse.solvers.train import DIVERGE_AT
from featreuse.solvers.train import train_multi, train_single
from .gd_path import gd_multi_path, gd_single_path
from .method_run import MethodRun, Path
from .problem import Method
from .sampling import sample_steps

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


def _single_beta(p):
    """Predictor (D,) of single-task parameters (4, D): ``w+ v+ - w- v-``."""
    return p[0] * p[1] - p[2] * p[3]


def _multi_beta(p):
    """Predictors (D, T) of multi-task parameters (T + 1, 2, D)."""
    return (p[0, 0] * p[1:, 0] - p[0, 1] * p[1:, 1]).T


def _torch_run(out, beta_of, record):
    """A :class:`MethodRun` of the reference loop's dict (:mod:`featreuse.nets.diagonal.reference`).

    The path is the iterates recorded at the sample steps, then the last one.
    """
    path = None
    if record:
        kept = [(k, out["record_wall_s"][k], out["records"][k]) for k in sorted(out["records"])]
        if not kept or kept[-1][0] != out["steps"]:
            kept.append((out["steps"], out["wall_s"], out["params"]))
        step = np.array([k[0] for k in kept], dtype=float)
        path = Path(step=step, flow_time=out["lr"] * step, wall_s=np.array([k[1] for k in kept]),
                    beta=np.array([beta_of(k[2]) for k in kept]))
    return MethodRun(beta_of(out["params"]), out["converged"], out["steps"],
                     timed_out=out["timed_out"], path=path,
                     info={"lr": out["lr"], "restarts": out["restarts"], "loss": out["loss"]})


def _torch_settings(max_steps, max_restarts, deadline, record):
    """The reference loop's keywords of a ``gd-torch`` call (LL's loop, as ``method="gd"`` runs)."""
    return dict(max_steps=max_steps, max_restarts=max_restarts, diverge_at=DIVERGE_AT,
                deadline=deadline, threads=1,
                record_steps=sample_steps(max_steps) if record else ())


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
        from featreuse.nets.diagonal.reference import reference_gd_single
        out = reference_gd_single(X, y, init, lr=lr, tol=tol,
                                  **_torch_settings(max_steps, max_restarts, deadline, record))
        return _torch_run(out, _single_beta, record)

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
                                     max_steps, max_restarts, deadline, record), _multi_beta)

    def gd_torch(deadline, record):
        from featreuse.nets.diagonal.reference import reference_gd_multi
        out = reference_gd_multi(Xs, ys, init, lr=lr, tol=tol, sample_weights=sample_weights,
                                 weight_decay=weight_decay,
                                 **_torch_settings(max_steps, max_restarts, deadline, record))
        return _torch_run(out, _multi_beta, record)

    return [Method("flow", flow, "multi-flow", exact=flow_exact, path=flow_path),
            Method("gd", gd, "gd-numba", exact=False),
            Method("gd-torch", gd_torch, "gd-torch", exact=False)]
