"""LL's one-hidden-layer ReLU network ``f(x) = a . ReLU(W x)`` (no biases).

A network has hidden weights ``W`` (K, D) and one readout row per task,
``a`` (T, K); multi-task networks share ``W``. A stack of M networks is
``W`` (M, K, D), ``a`` (M, T, K). Initialisation (LL):
``W ~ N(0, sigma^2 * 2 / D)`` and ``a ~ N(0, sigma^2 * 2 / K)`` entrywise.
"""
from dataclasses import dataclass

import numpy as np
import torch

from featreuse.errors import InputError
from ..seeding import RELU_INIT, stream
from featreuse.validation import check_scalar


@dataclass(frozen=True)
class ReluConfig:
    """Sizes, initialisation and training protocol (defaults: LL's).

    Attributes
    ----------
    D : int
        Input dimension.
    K : int
        Hidden units.
    sigma : float
        Initialisation scale: ``W ~ N(0, sigma^2 2/D)``, ``a ~ N(0, sigma^2 2/K)``.
    batch_size : int
        SGD minibatch size (finetuning, MTL, STL).
    lr : float
        SGD learning rate.
    pretrain_lr : float
        Full-batch GD learning rate of pretraining.
    tol : float
        Stop when the training loss falls below ``tol``: the mean of an epoch's
        minibatch losses (SGD), or the full-batch loss before a step (GD).
    max_epochs : int
        SGD epochs before giving up.
    max_pretrain_steps : int
        GD steps before giving up.
    divergence_loss : float
        A minibatch (or full-batch) loss above this, or NaN, restarts training
        from the initial weights at a tenth of the learning rate.
    max_restarts : int
        Restarts before the run counts as diverged.
    """

    D: int = 15                         # input dimension
    K: int = 1000                       # hidden units
    sigma: float = 1e-3                 # init scale (1e-6 in one of LL's experiments)
    batch_size: int = 128               # SGD minibatch
    lr: float = 1.0                     # SGD learning rate (LL also use 0.1)
    pretrain_lr: float = 0.1            # full-batch GD learning rate of pretraining
    tol: float = 1e-8                   # stop below this training loss
    max_epochs: int = 100_000           # SGD epochs at most
    max_pretrain_steps: int = 100_000   # GD steps at most
    divergence_loss: float = 1000.0     # restart at lr / 10 above this loss (or NaN)
    max_restarts: int = 4               # restarts before the run counts as diverged

    def __post_init__(self):
        check_scalar(self.D, "config.D", low=1, low_inclusive=True, integer=True)
        check_scalar(self.K, "config.K", low=1, low_inclusive=True, integer=True)
        check_scalar(self.sigma, "config.sigma", low=0)
        check_scalar(self.batch_size, "config.batch_size", low=1, low_inclusive=True, integer=True)
        check_scalar(self.lr, "config.lr", low=0)
        check_scalar(self.pretrain_lr, "config.pretrain_lr", low=0)
        check_scalar(self.tol, "config.tol", low=0)
        check_scalar(self.max_epochs, "config.max_epochs", low=1, low_inclusive=True, integer=True)
        check_scalar(self.max_pretrain_steps, "config.max_pretrain_steps", low=1,
                     low_inclusive=True, integer=True)
        check_scalar(self.divergence_loss, "config.divergence_loss", low=0)
        check_scalar(self.max_restarts, "config.max_restarts", low=0, low_inclusive=True,
                     integer=True)


def init_params(seeds, config=ReluConfig(), n_tasks=1):
    """Initialise a stack of networks, one per seed.

    Network ``m`` draws ``W`` (K x D standard normals, row-major) and then
    ``a`` (n_tasks x K) from the ``RELU_INIT`` of ``seeds[m]``. Hence ``W``
    does not depend on ``n_tasks``, and row 0 of a multi-task readout equals
    the single-task readout of the same seed.

    Parameters
    ----------
    seeds : sequence of int >= 0, length M
    config : ReluConfig
        Uses ``K``, ``D`` and ``sigma``.
    n_tasks : int >= 1
        Readout rows T.

    Returns
    -------
    W : ndarray (M, K, D), float64
    a : ndarray (M, T, K), float64
    """
    n_tasks = check_scalar(n_tasks, "n_tasks", low=1, low_inclusive=True, integer=True)
    seeds = list(np.atleast_1d(np.asarray(seeds, dtype=object)))
    if not seeds:
        raise InputError("seeds must contain at least one seed")
    K, D, sigma = config.K, config.D, config.sigma
    W = np.empty((len(seeds), K, D))
    a = np.empty((len(seeds), n_tasks, K))
    for m, seed in enumerate(seeds):
        rng = stream(seed, RELU_INIT)
        W[m] = rng.standard_normal((K, D)) * (sigma * np.sqrt(2.0 / D))
        a[m] = rng.standard_normal((n_tasks, K)) * (sigma * np.sqrt(2.0 / K))
    return W, a


def forward(W, a, X):
    """Outputs of a stack of networks on their inputs.

    Parameters
    ----------
    W : Tensor (M, K, D)
    a : Tensor (M, T, K)
    X : Tensor (M, n, D)
        Inputs of each network (or (n, D), shared by all).

    Returns
    -------
    Tensor (M, n, T)
        ``out[m, i, t] = a[m, t] . ReLU(W[m] X[m, i])``.
    """
    if W.ndim != 3 or a.ndim != 3 or W.shape[0] != a.shape[0] or W.shape[1] != a.shape[2]:
        raise InputError(f"W must be (M, K, D) and a (M, T, K) with the same M and K, "
                         f"got W {tuple(W.shape)} and a {tuple(a.shape)}")
    if X.ndim == 2:
        X = X.unsqueeze(0).expand(W.shape[0], -1, -1)
    if X.ndim != 3 or X.shape[0] != W.shape[0] or X.shape[2] != W.shape[2]:
        raise InputError(f"X must be (M, n, D) or (n, D) with M = {W.shape[0]} and "
                         f"D = {W.shape[2]}, got {tuple(X.shape)}")
    return torch.bmm(torch.relu(torch.bmm(X, W.transpose(1, 2))), a.transpose(1, 2))


class ReluNet(torch.nn.Module):
    """One network, as a torch module with parameters ``W`` (K, D) and ``a`` (T, K).

    ``forward(x)`` maps (n, D) inputs to (n, T) outputs.
    """

    def __init__(self, W, a):
        super().__init__()
        self.W = torch.nn.Parameter(W.clone())
        self.a = torch.nn.Parameter(a.clone())

    def forward(self, x):
        return torch.relu(x @ self.W.T) @ self.a.T
