"""LL's gradient descent (the numba kernels of ``method="gd"``) run between sample steps.

The kernels are called for one stretch of steps at a time, continuing from the
parameters the previous stretch ended at, so that the iterates can be kept at
the sample steps and the run can stop at a deadline. A stretch never restarts
by itself (``max_restarts=0``): on divergence the whole run restarts from the
init at a tenth of the learning rate, as the kernels do, so the iterates are
those of :func:`featreuse.solvers.train_single` / :func:`featreuse.solvers.train_multi` with
``method="gd"``.
"""
import time

import numpy as np

from featreuse.errors import DivergenceError
from featreuse.solvers.gd_kernels import CONVERGED, DIVERGED, gd_multi_kernel, gd_single
from featreuse.solvers.train import DIVERGE_AT
from .method_run import Path
from .sampling import sample_steps

#: longest stretch between two deadline checks (numba steps cost microseconds)
STRETCH = 5000


def _late(deadline):
    return deadline is not None and time.perf_counter() > deadline


def _run(advance, init, beta_of, lr, max_steps, max_restarts, deadline, record):
    """Run ``advance(params, lr, steps) -> (params, loss, steps done, status)`` to its end.

    Returns ``(params, loss, steps, lr, restarts, converged, timed_out, path)``.
    """
    marks = sample_steps(max_steps)
    for restarts in range(max_restarts + 1):
        start = time.perf_counter()
        params, steps, loss, status = init.copy(), 0, np.nan, None
        kept = []
        for mark in marks:
            while steps < mark and status != CONVERGED and not _late(deadline):
                stretch = int(mark - steps) if deadline is None else min(int(mark - steps), STRETCH)
                params, loss, done, status = advance(params, lr, stretch)
                steps += done
                if status == DIVERGED:
                    break
            if status == DIVERGED:
                break
            if record and (not kept or kept[-1][0] != steps):
                kept.append((steps, time.perf_counter() - start, beta_of(params)))
            if status == CONVERGED or steps < mark:  # converged, or stopped at the deadline
                break
        if status != DIVERGED:
            path = None
            if record:
                step = np.array([k[0] for k in kept], dtype=float)
                path = Path(step=step, flow_time=lr * step, wall_s=np.array([k[1] for k in kept]),
                            beta=np.array([k[2] for k in kept]))
            timed_out = status != CONVERGED and steps < max_steps
            return params, loss, steps, lr, restarts, status == CONVERGED, timed_out, path
        lr = lr / 10.0
    raise DivergenceError(f"lr: gradient descent still diverged after {max_restarts} restarts "
                          f"(last lr {lr * 10:.3g}); lower lr or raise max_restarts")


def gd_single_path(X, y, init, lr, tol, max_steps, max_restarts, deadline=None, record=False):
    """Single-task GD from ``init`` (4, D); see the module docstring.

    Parameters
    ----------
    X : ndarray (n, D), C-contiguous float64
    y : ndarray (n,)
    init : ndarray (4, D)
    lr, tol, max_steps, max_restarts
        As :func:`featreuse.solvers.train_single` with ``method="gd"``.
    deadline : float, optional
        :func:`time.perf_counter` value at which to stop.
    record : bool
        Keep the iterates at :func:`sample_steps`.

    Returns
    -------
    tuple
        ``(params (4, D), loss, steps, lr, restarts, converged, timed_out, path)``.
    """
    def advance(params, eta, steps):
        p, loss, done, _, _, status = gd_single(X, y, params[None], np.array([eta]), tol, steps,
                                                False, 0, DIVERGE_AT)
        return p[0], float(loss[0]), int(done[0]), int(status[0])

    return _run(advance, init, lambda p: p[0] * p[1] - p[2] * p[3], lr, max_steps, max_restarts,
                deadline, record)


def gd_multi_path(Xs, ys, init, sample_weights, weight_decay, lr, tol, max_steps, max_restarts,
                  deadline=None, record=False):
    """Multi-task GD from ``init`` (T + 1, 2, D), as :func:`gd_single_path`.

    ``sample_weights`` (T,) are the per-sample weights omega_t; ``tol`` is the
    data loss (no weight decay) or squared gradient norm (weight decay) at
    which GD stops, as in :func:`featreuse.solvers.train_multi`.
    """
    Xcat = np.ascontiguousarray(np.concatenate(Xs))
    ycat = np.concatenate(ys)
    offsets = np.cumsum([0] + [X.shape[0] for X in Xs]).astype(np.int64)

    def advance(params, eta, steps):
        p, loss, done, _, _, status = gd_multi_kernel(
            Xcat, ycat, offsets, sample_weights, params[None], np.array([eta]),
            float(weight_decay), tol, steps, 0, DIVERGE_AT)
        return p[0], float(loss[0]), int(done[0]), int(status[0])

    def beta_of(p):
        return (p[0, 0] * p[1:, 0] - p[0, 1] * p[1:, 1]).T

    return _run(advance, init, beta_of, lr, max_steps, max_restarts, deadline, record)
