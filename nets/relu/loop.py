"""One network at a time, the way LL's released code trains it.

``torch.optim.SGD`` on ``F.mse_loss``, one ``.item()`` per step, a fresh
shuffle every epoch, stop when the epoch mean of the minibatch losses falls
below ``tol``. It is the reference that :func:`featreuse.nets.train_stacked` is tested
against and the peer it is timed against.
"""
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from ..device import resolve_device
from featreuse.errors import ConvergenceWarning, DivergenceError, InputTypeError
from .checks import check_config, check_dtype
from .epochs import EpochOrders
from .model import ReluConfig, ReluNet
from .results import ReluResult
from .runs import RunSpec


def batch_loss(net, X, y, tasks, fractions):
    """Loss of one batch: ``sum_t (n_t/N) * MSE of task t's samples in the batch``.

    Parameters
    ----------
    net : ReluNet
        Outputs (b, T).
    X : Tensor (b, D)
    y : Tensor (b,)
    tasks : ndarray (b,) of int
        Task of each sample.
    fractions : sequence of float (T,)
        ``n_t / N``.

    Returns
    -------
    Tensor ()
        A task with no sample in the batch contributes 0; with one task the
        loss is ``F.mse_loss``.
    """
    out = net(X)
    if len(fractions) == 1:
        return F.mse_loss(out[:, 0], y)
    loss = None
    for t in np.unique(tasks):
        sel = torch.as_tensor(np.flatnonzero(tasks == t), device=X.device)
        term = fractions[t] * F.mse_loss(out[sel, t], y[sel])
        loss = term if loss is None else loss + term
    return loss


def _attempt(run, lr, X, y, tasks, fractions, config, dtype, device):
    """Train from the run's start at ``lr``.

    Returns ``(net, outcome dict)``, or ``(None, loss)`` on divergence.
    """
    net = ReluNet(torch.as_tensor(run.W0, dtype=dtype, device=device),
                  torch.as_tensor(run.a0, dtype=dtype, device=device))
    if run.train == "readout":
        net.W.requires_grad_(False)
        params = [net.a]
    else:
        params = [net.W, net.a]
    opt = torch.optim.SGD(params, lr=lr)
    N = X.shape[0]
    orders = EpochOrders(run.shuffle_seed, N)
    steps, mean = 0, float("nan")
    for epoch in range(1, run.max_epochs + 1):
        if run.full_batch:
            batches = [None]
        else:
            order = orders.next()
            batches = [order[i:i + config.batch_size] for i in range(0, N, config.batch_size)]
        losses = []
        for idx in batches:
            if idx is None:
                loss = batch_loss(net, X, y, tasks, fractions)
            else:
                index = torch.as_tensor(idx, device=device)
                loss = batch_loss(net, X[index], y[index], tasks[idx], fractions)
            value = loss.item()
            if not value <= config.divergence_loss:     # also catches NaN
                return None, value
            losses.append(value)
            if run.full_batch and value < config.tol:
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
        mean = float(np.mean(losses))
        if mean < config.tol:
            return net, dict(loss=mean, epochs=epoch, steps=steps, converged=True)
    return net, dict(loss=mean, epochs=run.max_epochs, steps=steps, converged=False)


def train_one(run, config=ReluConfig(), device="cpu", dtype=torch.float32):
    """Train one network as LL's code does.

    Parameters
    ----------
    run : RunSpec
        Data, start, learning rate, stopping (see :mod:`featreuse.nets.relu.runs`).
    config : ReluConfig
        Uses ``batch_size``, ``tol``, ``divergence_loss`` and ``max_restarts``.
    device : str
        ``"cpu"`` or ``"cuda"`` (checked first, see :func:`featreuse.nets.resolve_device`).
    dtype : torch.float32 or torch.float64

    Returns
    -------
    ReluResult

    Raises
    ------
    DivergenceError
        The loss still exceeded ``config.divergence_loss`` (or was NaN) after
        ``config.max_restarts`` restarts at lr / 10 each.

    Warns
    -----
    ConvergenceWarning
        The run reached ``run.max_epochs`` before ``config.tol``.
    """
    device = resolve_device(device)
    if not isinstance(run, RunSpec):
        raise InputTypeError(f"run must be a RunSpec, got {type(run).__name__}")
    config, dtype = check_config(config), check_dtype(dtype)
    X = torch.as_tensor(np.concatenate(run.Xs), dtype=dtype, device=device)
    y = torch.as_tensor(np.concatenate(run.ys), dtype=dtype, device=device)
    sizes = run.task_sizes
    tasks = np.repeat(np.arange(run.n_tasks), sizes)
    fractions = [float(n_t) / run.n_samples for n_t in sizes]
    start = time.perf_counter()
    lr, restarts = run.lr, 0
    while True:
        net, outcome = _attempt(run, lr, X, y, tasks, fractions, config, dtype, device)
        if net is not None:
            break
        if restarts == config.max_restarts:
            raise DivergenceError(
                f"run diverged (loss {outcome} > divergence_loss = {config.divergence_loss} "
                f"or NaN) after max_restarts = {restarts} restarts; last lr = {lr}")
        restarts += 1
        lr = lr / 10
    if not outcome["converged"]:
        warnings.warn(f"training stopped at max_epochs = {run.max_epochs} with loss "
                      f"{outcome['loss']:.3e} >= tol = {config.tol}", ConvergenceWarning,
                      stacklevel=2)
    return ReluResult(W=net.W.detach().cpu().double().numpy(),
                      a=net.a.detach().cpu().double().numpy(),
                      loss=outcome["loss"], epochs=outcome["epochs"], steps=outcome["steps"],
                      converged=outcome["converged"], stopped_at_max=not outcome["converged"],
                      failed=False, restarts=restarts, lr=lr,
                      wall_s=time.perf_counter() - start)
