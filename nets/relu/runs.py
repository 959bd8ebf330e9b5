"""What one network's training run is: data, start, learning rate, stopping.

A :class:`RunSpec` is the complete input of one run; both trainers
(:func:`featreuse.nets.train_one` and :func:`featreuse.nets.train_stacked`) take them. The
builders below make LL's regimes:

* ``pretrain_run``: full-batch GD on the auxiliary task (lr 0.1).
* ``stl_run``: SGD on the main task from a fresh initialisation.
* ``mtl_run``: SGD on the union of auxiliary and main samples, shared ``W``,
  readout rows ``[aux, main]``.
* ``ptft_run``: SGD on the main task from pretrained, rescaled ``W`` and a
  re-drawn readout; all weights, or the readout only (PT+FT (LP)).
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError, InputTypeError
from .finetune import ptft_init
from .model import ReluConfig
from featreuse.validation import as_float_array, check_choice, check_scalar


@dataclass(frozen=True)
class RunSpec:
    """One network's training run.

    Attributes
    ----------
    Xs : tuple of ndarray (n_t, D)
        Training inputs of each task t (one per readout row).
    ys : tuple of ndarray (n_t,)
        Targets of each task.
    W0 : ndarray (K, D)
        Initial hidden weights.
    a0 : ndarray (T, K)
        Initial readout, one row per task.
    lr : float
        Learning rate (divided by 10 at each divergence restart).
    shuffle_seed : int
        Seed of the minibatch order (``RELU_SHUFFLE``); unused in full batch.
    train : str
        ``"all"`` or ``"readout"`` (``W`` frozen).
    full_batch : bool
        True: GD on all samples, one step per epoch, no shuffle, and a step
        whose loss is already below ``tol`` is not taken (LL's GD loop).
        False: minibatch SGD with a fresh order every epoch.
    max_epochs : int
        Epochs (GD: steps) before giving up.

    Notes
    -----
    The loss of a batch is ``sum_t (n_t / N) * mean_{i in batch, task t}
    (f_t(x_i) - y_i)^2`` with ``N = sum_t n_t``; a task without samples in the
    batch contributes 0. With one task it is the batch MSE.
    """

    Xs: tuple
    ys: tuple
    W0: np.ndarray
    a0: np.ndarray
    lr: float
    shuffle_seed: int = 0
    train: str = "all"
    full_batch: bool = False
    max_epochs: int = 100_000

    def __post_init__(self):
        Xs, ys = self.Xs, self.ys
        if isinstance(Xs, np.ndarray) or not isinstance(Xs, (list, tuple)):
            Xs, ys = (Xs,), (ys,)
        if not isinstance(ys, (list, tuple)) or len(Xs) != len(ys) or not Xs:
            raise InputError("Xs and ys must be non-empty lists of equal length (one per task)")
        W0 = as_float_array(self.W0, "W0", ndim=2)
        K, D = W0.shape
        a0 = as_float_array(self.a0, "a0")
        if a0.ndim == 1:
            a0 = a0[None, :]
        if a0.ndim != 2 or a0.shape != (len(Xs), K):
            raise InputError(f"a0 must have shape (T, K) = ({len(Xs)}, {K}) for {len(Xs)} "
                             f"task(s) and W0 {W0.shape}, got {a0.shape}")
        clean_X, clean_y = [], []
        for t, (X, y) in enumerate(zip(Xs, ys)):
            X = as_float_array(X, f"Xs[{t}]", ndim=2)
            y = as_float_array(y, f"ys[{t}]", ndim=1)
            if X.shape[1] != D:
                raise InputError(f"Xs[{t}] has {X.shape[1]} columns but W0 has D = {D}")
            if y.shape[0] != X.shape[0]:
                raise InputError(f"ys[{t}] has {y.shape[0]} entries but Xs[{t}] has "
                                 f"{X.shape[0]} rows")
            clean_X.append(X)
            clean_y.append(y)
        if not isinstance(self.full_batch, (bool, np.bool_)):
            raise InputTypeError(f"full_batch must be a bool, got {type(self.full_batch).__name__}")
        object.__setattr__(self, "Xs", tuple(clean_X))
        object.__setattr__(self, "ys", tuple(clean_y))
        object.__setattr__(self, "W0", W0)
        object.__setattr__(self, "a0", a0)
        object.__setattr__(self, "lr", check_scalar(self.lr, "lr", low=0))
        object.__setattr__(self, "shuffle_seed", check_scalar(
            self.shuffle_seed, "shuffle_seed", low=0, low_inclusive=True, integer=True))
        check_choice(self.train, {"all", "readout"}, "train")
        object.__setattr__(self, "full_batch", bool(self.full_batch))
        object.__setattr__(self, "max_epochs", check_scalar(
            self.max_epochs, "max_epochs", low=1, low_inclusive=True, integer=True))

    @property
    def n_tasks(self):
        """Readout rows T."""
        return len(self.Xs)

    @property
    def task_sizes(self):
        """Samples per task, ndarray (T,) of int."""
        return np.array([X.shape[0] for X in self.Xs])

    @property
    def n_samples(self):
        """All samples N."""
        return int(self.task_sizes.sum())

    @property
    def shape(self):
        """``(K, D)``."""
        return self.W0.shape


def pretrain_run(X_aux, y_aux, W0, a0, config=ReluConfig()):
    """LL's pretraining: full-batch GD on the auxiliary task at ``config.pretrain_lr``."""
    return RunSpec((X_aux,), (y_aux,), W0, a0, lr=config.pretrain_lr, full_batch=True,
                   max_epochs=config.max_pretrain_steps)


def stl_run(X, y, W0, a0, seed, config=ReluConfig(), lr=None):
    """Single-task SGD on ``(X, y)`` from ``(W0, a0)``; ``seed`` orders the minibatches."""
    return RunSpec((X,), (y,), W0, a0, lr=config.lr if lr is None else lr, shuffle_seed=seed,
                   max_epochs=config.max_epochs)


def mtl_run(X_aux, y_aux, X, y, W0, a0, seed, config=ReluConfig(), lr=None):
    """Multi-task SGD on auxiliary and main data jointly; ``a0`` is (2, K): ``[aux, main]``."""
    return RunSpec((X_aux, X), (y_aux, y), W0, a0, lr=config.lr if lr is None else lr,
                   shuffle_seed=seed, max_epochs=config.max_epochs)


def ptft_run(W_pre, X, y, rescale, seed, config=ReluConfig(), train="all", lr=None):
    """Finetuning from pretrained ``W_pre`` (K, D): ``W <- rescale W_pre``, readout re-drawn.

    ``seed`` draws the new readout (``RELU_READOUT``) and orders the
    minibatches (``RELU_SHUFFLE``). ``train="readout"`` is PT+FT (LP).
    """
    W0, a0 = ptft_init(W_pre, rescale, seed, sigma=config.sigma)
    return RunSpec((X,), (y,), W0, a0, lr=config.lr if lr is None else lr, shuffle_seed=seed,
                   train=train, max_epochs=config.max_epochs)
