"""LL's reference training loop for diagonal networks, in torch.

``torch.optim.SGD`` on the full-batch ``F.mse_loss``, one ``.item()`` per step,
stop at train loss < tol: the loop of the paper's released code. It serves as
the independent reference for :mod:`featreuse.solvers` (same iterates in float64), as
the peer in the benchmarks, and as the ``gd-torch`` method of the solver comparison
(:mod:`featreuse.analysis.compare`), which also asks for what ``method="gd"`` does
besides: a restart from the init at a tenth of the learning rate when the loss
exceeds ``diverge_at`` or is NaN (``max_restarts``), per-sample task weights and
weight decay (multi-task; with weight decay the loop stops on the squared gradient
norm), a deadline, and the wall time of every recorded iterate. With the defaults
(no restarts, no divergence check) it is LL's loop unchanged. Runs on CPU or CUDA.
"""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from featreuse.errors import DivergenceError, InputError


def _tensor(a, dtype, device):
    return torch.as_tensor(np.asarray(a), dtype=dtype, device=device)


def _numpy(params):
    return np.stack([p.detach().cpu().numpy().copy() for p in params])


def _late(start, max_seconds, deadline):
    if max_seconds is None and deadline is None:
        return False
    now = time.perf_counter()
    return ((max_seconds is not None and now - start > max_seconds)
            or (deadline is not None and now > deadline))


def _sgd_loop(params, losses, lr, tol, max_steps, max_seconds, deadline, record_steps,
              gradient_stop, diverge_at):
    """LL's loop: SGD on ``losses(params) -> (data loss, loss to descend)``, one ``.item()`` per
    step, stop below tol (on the squared gradient norm when ``gradient_stop``).

    Returns a dict with ``status``: ``"converged"``, ``"max_steps"``, ``"timeout"`` or
    ``"diverged"`` (the loss above ``diverge_at`` or NaN; only when ``diverge_at`` is given).
    """
    opt = torch.optim.SGD(params, lr=lr)
    record_steps = set(int(s) for s in record_steps)
    records, record_wall_s = {}, {}
    start = time.perf_counter()
    steps, status, loss_value = 0, None, float("nan")
    while True:
        if steps in record_steps:
            records[steps] = _numpy(params)
            record_wall_s[steps] = time.perf_counter() - start
        data, total = losses(params)
        loss_value = data.item()
        if not gradient_stop and loss_value < tol:
            status = "converged"
            break
        if diverge_at is not None and not loss_value <= diverge_at:
            status = "diverged"
            break
        if gradient_stop:
            opt.zero_grad()
            total.backward()
            if sum(float(torch.sum(p.grad ** 2)) for p in params) < tol:
                status = "converged"
                break
        if steps >= max_steps:
            status = "max_steps"
            break
        if _late(start, max_seconds, deadline):
            status = "timeout"
            break
        if not gradient_stop:
            opt.zero_grad()
            total.backward()
        opt.step()
        steps += 1
    return dict(params=_numpy(params), loss=loss_value, steps=steps,
                converged=status == "converged", status=status,
                wall_s=time.perf_counter() - start, records=records, record_wall_s=record_wall_s)


def _run(make_params, losses, lr, tol, max_steps, max_seconds, deadline, record_steps,
         gradient_stop, diverge_at, max_restarts, threads):
    """:func:`_sgd_loop` from fresh parameters, restarting at ``lr / 10`` while it diverges."""
    saved = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    try:
        for restarts in range(int(max_restarts) + 1):
            out = _sgd_loop(make_params(), losses, lr, tol, max_steps, max_seconds, deadline,
                            record_steps, gradient_stop, diverge_at)
            if out["status"] != "diverged":
                out.update(lr=lr, restarts=restarts, timed_out=out["status"] == "timeout")
                return out
            lr = lr / 10.0
    finally:
        torch.set_num_threads(saved)
    raise DivergenceError(f"lr: gradient descent still diverged after {max_restarts} restarts "
                          f"(last lr {lr * 10:.3g}); lower lr or raise max_restarts")


def reference_gd_single(X, y, init, lr=0.1, tol=1e-10, max_steps=10 ** 6, dtype=torch.float64,
                        device="cpu", max_seconds=None, record_steps=(), *, max_restarts=0,
                        diverge_at=None, deadline=None, threads=None):
    """Full-batch GD of a single-task diagonal net ``beta = w+ v+ - w- v-``.

    Parameters
    ----------
    X (n, D), y (n,), init (4, D) rows w+, v+, w-, v-.
    max_seconds : float, optional
        Stop (unconverged) after this much wall time.
    record_steps : iterable of int
        Steps at which to keep a copy of the parameters.
    max_restarts : int
        Restarts from ``init`` at a tenth of the learning rate when the loss exceeds
        ``diverge_at`` or is NaN; :class:`featreuse.DivergenceError` when none is left.
    diverge_at : float, optional
        The loss above which a run has diverged (``None``: LL's loop, no check).
    deadline : float, optional
        :func:`time.perf_counter` value at which to stop (unconverged).
    threads : int, optional
        torch threads for the run (restored after); ``None`` leaves torch's setting.

    Returns
    -------
    dict with params (4, D) numpy, loss, steps, converged, status, timed_out, lr (after
    restarts), restarts, wall_s, records ({step: params}) and record_wall_s ({step: seconds
    since the last start}).
    """
    Xt, yt = _tensor(X, dtype, device), _tensor(y, dtype, device)

    def make_params():
        return [torch.nn.Parameter(_tensor(row, dtype, device).clone()) for row in init]

    def losses(p):
        wp, vp, wm, vm = p
        loss = F.mse_loss(Xt @ (wp * vp - wm * vm), yt)
        return loss, loss

    return _run(make_params, losses, lr, tol, max_steps, max_seconds, deadline, record_steps,
                False, diverge_at, max_restarts, threads)


def reference_gd_multi(Xs, ys, init, lr=0.1, tol=1e-10, max_steps=10 ** 6, dtype=torch.float64,
                       device="cpu", max_seconds=None, record_steps=(), *, sample_weights=None,
                       weight_decay=0.0, max_restarts=0, diverge_at=None, deadline=None,
                       threads=None):
    """Full-batch GD of a multi-task diagonal net, one MSE over all samples (LL).

    init (T + 1, 2, D): ``init[0] = (w+, w-)``, ``init[1 + t] = (v+^t, v-^t)``.

    ``sample_weights`` (T,) replaces LL's MSE by ``sum_t omega_t ||X_t beta_t - y_t||^2``
    (the loss of :func:`featreuse.solvers.train_multi`); ``weight_decay`` lambda adds
    ``lambda ||theta||^2`` to the loss descended, and the loop then stops when the squared
    gradient norm is below ``tol`` (``loss`` stays the data loss). The other keywords are
    :func:`reference_gd_single`'s. Returns a dict as it does, with params (T + 1, 2, D).
    """
    weight_decay = float(weight_decay)
    if not math.isfinite(weight_decay) or weight_decay < 0.0:
        raise InputError(f"weight_decay must be a finite number >= 0, got {weight_decay}")
    Xt = [_tensor(X, dtype, device) for X in Xs]
    if sample_weights is None:
        yt = torch.cat([_tensor(y, dtype, device) for y in ys])
    else:
        yt = [_tensor(y, dtype, device) for y in ys]
        omegas = [float(om) for om in sample_weights]

    def make_params():
        return [torch.nn.Parameter(_tensor(block, dtype, device).clone()) for block in init]

    def data_loss(p):
        w = p[0]
        if sample_weights is None:
            out = torch.cat([X @ (w[0] * v[0] - w[1] * v[1]) for X, v in zip(Xt, p[1:])])
            return F.mse_loss(out, yt)
        return sum(om * torch.sum((X @ (w[0] * v[0] - w[1] * v[1]) - y) ** 2)
                   for om, X, y, v in zip(omegas, Xt, yt, p[1:]))

    def losses(p):
        data = data_loss(p)
        if weight_decay == 0.0:
            return data, data
        return data, data + weight_decay * sum(torch.sum(q * q) for q in p)

    return _run(make_params, losses, lr, tol, max_steps, max_seconds, deadline, record_steps,
                weight_decay > 0.0, diverge_at, max_restarts, threads)
