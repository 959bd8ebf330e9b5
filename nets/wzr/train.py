"""Gradient training of the shared-module model ``g(X_i B) A_i`` (WZR section 2), several starts.

The objective ``sum_i alpha_i ||g(X_i B) A_i - y_i||^2`` is minimised jointly over B
and every head by full-batch L-BFGS (:mod:`.lbfgs`), in float64, from
``starts`` random initialisations; the start with the lowest objective is kept. For
``g`` the identity every local minimum is global (WZR), so the result matches the
closed form of tasks sharing X; for ReLU it is a local minimum.
"""
import numpy as np
import torch

from ..device import resolve_device
from featreuse.validation import check_rank, check_task_list, check_task_weights
from .checks import check_activation, check_settings
from .lbfgs import minimise
from .model import as_tensors, task_losses
from .trained_fits import SharedModuleNetFit


def _init(rng, D, r, k):
    """A Gaussian start: B (D, r) with entries N(0, 1/D), so that inputs with unit-variance
    entries give unit-variance pre-activations, and heads (k, r) with entries N(0, 1/r)."""
    return rng.standard_normal((D, r)) / np.sqrt(D), rng.standard_normal((k, r)) / np.sqrt(r)


def train_shared_module(Xs, ys, r, activation="linear", weights=None, starts=4, seed=0,
                        max_iter=3000, tol=1e-10, device="cpu"):
    """Train the shared module B and the heads on every task at once.

    Parameters
    ----------
    Xs : list of k arrays, shapes (n_i, D)
        Inputs of each task (same D).
    ys : list of k arrays, shapes (n_i,)
        Labels of each task.
    r : int >= 1
        Capacity: columns of B.
    activation : {"linear", "relu"}
        The nonlinearity g.
    weights : array (k,), optional
        Task weights ``alpha_i > 0`` (default ones).
    starts : int >= 1
        Random initialisations; the lowest final objective is kept.
    seed : int >= 0
        Seed of the initialisations.
    max_iter : int >= 1
        L-BFGS iterations per start.
    tol : float > 0
        Gradient tolerance on the objective divided by ``sum_i alpha_i ||y_i||^2``.
    device : str
        ``"cpu"`` or ``"cuda"`` (:func:`featreuse.nets.device.resolve_device`).

    Returns
    -------
    SharedModuleNetFit

    Raises
    ------
    InputError, InputTypeError
        Tasks with different D (the message names the task), ``r <= 0``, bad weights,
        activation, settings or device.
    """
    Xs, ys = check_task_list(Xs, ys)
    r = check_rank(r)
    activation = check_activation(activation)
    alpha = check_task_weights(weights, len(Xs))
    max_iter, tol, starts, seed = check_settings(max_iter, tol, starts, seed)
    dev = resolve_device(device)
    Xt, yt, at = as_tensors(Xs, ys, alpha, dev)
    scale = float(np.dot(alpha, [y @ y for y in ys])) or 1.0
    rng = np.random.default_rng(seed)
    D, k = Xs[0].shape[1], len(Xs)
    best, objectives = None, []
    for _ in range(starts):
        B0, A0 = _init(rng, D, r, k)
        B = torch.tensor(B0, device=dev, requires_grad=True)
        A = torch.tensor(A0, device=dev, requires_grad=True)

        def objective():
            return torch.dot(at, task_losses(Xt, yt, B, A, activation)) / scale

        steps, converged = minimise([B, A], objective, max_iter, tol)
        with torch.no_grad():
            losses = task_losses(Xt, yt, B, A, activation).cpu().numpy()
        obj = float(np.dot(alpha, losses))
        objectives.append(obj)
        if best is None or obj < best.objective:
            best = SharedModuleNetFit(B=B.detach().cpu().numpy(), heads=A.detach().cpu().numpy(),
                                      activation=activation, objective=obj, task_losses=losses,
                                      weights=alpha.copy(), steps=steps, converged=converged,
                                      start_objectives=None)
    best.start_objectives = np.array(objectives)
    return best
