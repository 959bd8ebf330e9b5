"""The paper's kind of training loop in torch: full-batch ``torch.optim.SGD``, float64.

One ``.item()`` per step, stop at train loss < ``tol``, restart from the init
at a tenth of the learning rate when the loss exceeds 100 or is NaN: the
algorithm of ``method="gd"``, written as a plain autograd loop (an
independent implementation of the same iterates). The loop runs on one torch
thread (the setting is restored after), as LL's loop was measured: its
products are small, and on a busy machine a thread pool spends its time
waiting for cores. torch is imported here only.
"""
import time

import numpy as np

from featreuse.errors import DivergenceError
from ..train import DIVERGE_AT
from .method_run import Path
from .sampling import sample_steps


def _loop(torch, params, losses, beta_of, lr, tol, weight_decay, max_steps, deadline, record):
    """One attempt at learning rate ``lr``; returns (status, steps, loss, kept)."""
    opt = torch.optim.SGD(params, lr=lr)
    marks = set(int(s) for s in sample_steps(max_steps))
    start = time.perf_counter()
    kept, steps = [], 0

    def end(status, loss):
        if record and (not kept or kept[-1][0] != steps):
            kept.append((steps, time.perf_counter() - start, beta_of(params)))
        return status, steps, loss, kept

    while True:
        data, total = losses(params)
        loss = data.item()
        if weight_decay == 0.0 and loss < tol:
            return end("converged", loss)
        if not loss <= DIVERGE_AT:
            return "diverged", steps, loss, kept
        opt.zero_grad()
        total.backward()
        if weight_decay > 0.0 and sum(float(torch.sum(p.grad ** 2)) for p in params) < tol:
            return end("converged", loss)
        if steps >= max_steps:
            return end("max_steps", loss)
        if deadline is not None and time.perf_counter() > deadline:
            return end("timeout", loss)
        opt.step()
        steps += 1
        if record and steps in marks:
            kept.append((steps, time.perf_counter() - start, beta_of(params)))


def torch_gd(losses_of, init, beta_of, lr, tol, max_steps, max_restarts, weight_decay=0.0,
             deadline=None, record=False):
    """Run the loop with restarts; shared by the single- and multi-task losses.

    Parameters
    ----------
    losses_of : callable
        ``losses_of(torch) -> losses(params) -> (data loss, loss to descend)``
        (scalar tensors).
    init : ndarray
        Initial parameters, one tensor per leading index.
    beta_of : callable
        ``beta_of(params) -> ndarray`` (the predictor, detached).
    lr, tol, max_steps, max_restarts, weight_decay
        As :func:`featreuse.solvers.train_single` / :func:`featreuse.solvers.train_multi`.
    deadline : float, optional
        :func:`time.perf_counter` value at which to stop.
    record : bool
        Keep the iterates at :func:`sample_steps`.

    Returns
    -------
    dict
        ``beta``, ``loss``, ``steps``, ``lr``, ``restarts``, ``converged``,
        ``timed_out``, ``path``.
    """
    import torch
    losses = losses_of(torch)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _restarts(torch, losses, init, beta_of, lr, tol, max_steps, max_restarts,
                         weight_decay, deadline, record)
    finally:
        torch.set_num_threads(threads)


def _restarts(torch, losses, init, beta_of, lr, tol, max_steps, max_restarts, weight_decay,
              deadline, record):
    for restarts in range(max_restarts + 1):
        params = [torch.nn.Parameter(torch.tensor(block, dtype=torch.float64)) for block in init]
        status, steps, loss, kept = _loop(torch, params, losses, beta_of, lr, tol, weight_decay,
                                          max_steps, deadline, record)
        if status != "diverged":
            path = None
            if record:
                step = np.array([k[0] for k in kept], dtype=float)
                path = Path(step=step, flow_time=lr * step,
                            wall_s=np.array([k[1] for k in kept]),
                            beta=np.array([k[2] for k in kept]))
            return dict(beta=beta_of(params), loss=loss, steps=steps, lr=lr, restarts=restarts,
                        converged=status == "converged", timed_out=status == "timeout", path=path)
        lr = lr / 10.0
    raise DivergenceError(f"lr: gradient descent still diverged after {max_restarts} restarts "
                          f"(last lr {lr * 10:.3g}); lower lr or raise max_restarts")


def single_losses(X, y):
    """``losses_of`` of a single-task network: ``F.mse_loss(X (w+ v+ - w- v-), y)``."""
    def losses_of(torch):
        Xt, yt = torch.as_tensor(X), torch.as_tensor(y)

        def losses(p):
            loss = torch.nn.functional.mse_loss(Xt @ (p[0] * p[1] - p[2] * p[3]), yt)
            return loss, loss
        return losses
    return losses_of


def single_beta(p):
    """Predictor (D,) of single-task parameter tensors ``w+, v+, w-, v-``."""
    return (p[0] * p[1] - p[2] * p[3]).detach().numpy().copy()


def multi_losses(Xs, ys, sample_weights, weight_decay):
    """``losses_of`` of a multi-task network (params: shared ``(w+, w-)``, then each readout).

    Data loss ``sum_t omega_t ||X_t beta_t - y_t||^2``; with weight decay the
    loss descended adds ``lambda ||theta||^2`` (as :func:`featreuse.solvers.train_multi`).
    """
    def losses_of(torch):
        Xt = [torch.as_tensor(X) for X in Xs]
        yt = [torch.as_tensor(y) for y in ys]

        def losses(p):
            w = p[0]
            data = sum(float(om) * torch.sum((X @ (w[0] * v[0] - w[1] * v[1]) - y) ** 2)
                       for om, X, y, v in zip(sample_weights, Xt, yt, p[1:]))
            if weight_decay == 0.0:
                return data, data
            return data, data + weight_decay * sum(torch.sum(q * q) for q in p)
        return losses
    return losses_of


def multi_beta(p):
    """Predictors (D, T) of multi-task parameter tensors."""
    w = p[0].detach().numpy()
    return np.stack([w[0] * v.detach().numpy()[0] - w[1] * v.detach().numpy()[1]
                     for v in p[1:]], axis=1)
