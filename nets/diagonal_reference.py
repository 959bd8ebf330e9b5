"""LL's reference training loop for diagonal networks, in torch.

``torch.optim.SGD`` on the full-batch ``F.mse_loss``, one ``.item()`` per step,
stop at train loss < tol: the loop of the paper's released code. It serves as
the independent reference for :mod:`featreuse.solvers` (same iterates in float64) and as
the peer in the benchmarks. Runs on CPU or CUDA.
"""
import time

import numpy as np
import torch
import torch.nn.functional as F


def _tensor(a, dtype, device):
    return torch.as_tensor(np.asarray(a), dtype=dtype, device=device)


def _sgd_loop(params, loss_of, lr, tol, max_steps, max_seconds, record_steps):
    """LL's loop: SGD on ``loss_of(params)``, one ``.item()`` per step, stop below tol."""
    opt = torch.optim.SGD(params, lr=lr)
    record_steps = set(record_steps)
    records = {}
    start = time.perf_counter()
    steps, converged, loss_value = 0, False, float("nan")
    while True:
        if steps in record_steps:
            records[steps] = np.stack([p.detach().cpu().numpy().copy() for p in params])
        loss = loss_of(params)
        loss_value = loss.item()
        if loss_value < tol:
            converged = True
            break
        if steps >= max_steps or (max_seconds is not None and time.perf_counter() - start > max_seconds):
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    return dict(params=np.stack([p.detach().cpu().numpy() for p in params]), loss=loss_value,
                steps=steps, converged=converged, wall_s=time.perf_counter() - start, records=records)


def reference_gd_single(X, y, init, lr=0.1, tol=1e-10, max_steps=10 ** 6, dtype=torch.float64,
                        device="cpu", max_seconds=None, record_steps=()):
    """Full-batch GD of a single-task diagonal net ``beta = w+ v+ - w- v-``.

    Parameters
    ----------
    X (n, D), y (n,), init (4, D) rows w+, v+, w-, v-.
    max_seconds : float, optional
        Stop (unconverged) after this much wall time.
    record_steps : iterable of int
        Steps at which to keep a copy of the parameters.

    Returns
    -------
    dict with params (4, D) numpy, loss, steps, converged, wall_s, records
    ({step: params}).
    """
    Xt, yt = _tensor(X, dtype, device), _tensor(y, dtype, device)
    params = [torch.nn.Parameter(_tensor(row, dtype, device).clone()) for row in init]

    def loss_of(p):
        wp, vp, wm, vm = p
        return F.mse_loss(Xt @ (wp * vp - wm * vm), yt)

    return _sgd_loop(params, loss_of, lr, tol, max_steps, max_seconds, record_steps)


def reference_gd_multi(Xs, ys, init, lr=0.1, tol=1e-10, max_steps=10 ** 6, dtype=torch.float64,
                       device="cpu", max_seconds=None, record_steps=()):
    """Full-batch GD of a multi-task diagonal net, one MSE over all samples (LL).

    init (T + 1, 2, D): ``init[0] = (w+, w-)``, ``init[1 + t] = (v+^t, v-^t)``.
    Returns a dict as :func:`reference_gd_single` with params (T + 1, 2, D).
    """
    Xt = [_tensor(X, dtype, device) for X in Xs]
    yt = torch.cat([_tensor(y, dtype, device) for y in ys])
    params = [torch.nn.Parameter(_tensor(block, dtype, device).clone()) for block in init]

    def loss_of(p):
        w = p[0]
        out = torch.cat([X @ (w[0] * v[0] - w[1] * v[1]) for X, v in zip(Xt, p[1:])])
        return F.mse_loss(out, yt)

    return _sgd_loop(params, loss_of, lr, tol, max_steps, max_seconds, record_steps)
