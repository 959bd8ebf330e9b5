"""LL's training loop of the deep networks: pretraining, STL, MTL and finetuning are one loop.

Every epoch is one pass over the task in minibatches of ``min(n, batch_size)``
(a fresh random order each epoch; a last batch of one image joins the previous
batch, since BatchNorm cannot normalise one image); the epoch's training loss
is the mean cross-entropy over its images. Training stops once that loss is
below ``tol`` or after ``max_epochs`` epochs. No augmentation.

MTL (``aux`` given): each epoch is a pass over the main task, then a pass over
the auxiliary task with every auxiliary minibatch loss multiplied by
:func:`mtl_aux_weight` (the main task's batches per epoch over the auxiliary
task's), so that both tasks move the weights about equally per epoch. The
stopping rule reads the main task's loss.

Pretraining is this loop on the auxiliary task; finetuning is this loop on the
main task from rescaled pretrained weights (:func:`featreuse.nets.deep.models.rescale_`).
On CUDA, mixed precision (bfloat16 autocast), channels-last convolutions and
data held on the device are on by default (``"auto"``).
"""
import contextlib
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..seeding import DEEP_SHUFFLE, stream
from .task import check_task
from ..device import resolve_device
from featreuse.errors import ConvergenceWarning, DivergenceError, InputError, InputTypeError
from featreuse.validation import check_choice, check_scalar

METHODS = ("sgd", "adam")
AUTO = (True, False, "auto")


@dataclass(frozen=True)
class DeepTrainConfig:
    """Optimiser and stopping rule (defaults: LL's ResNet settings; :func:`train_config_for`)."""

    method: str = "sgd"            # "sgd" (LL's ResNet) or "adam" (LL's ViT)
    lr: float = 1e-3               # learning rate
    momentum: float = 0.9          # SGD momentum (ignored by Adam)
    weight_decay: float = 0.0      # L2 term of the optimiser (LL's ViT: 5e-5)
    batch_size: int = 128          # minibatch: min(n, batch_size) images
    tol: float = 0.01              # stop once an epoch's mean training loss is below this
    max_epochs: int = 1000         # epochs at most (LL: 1000)
    amp: object = "auto"           # bfloat16 autocast: True, False or "auto" (CUDA only)
    channels_last: object = "auto"  # channels-last memory: True, False or "auto" (CUDA, convnets)

    def checked(self):
        """Return ``self`` after checking every field (typed errors naming it)."""
        check_choice(self.method, METHODS, "method")
        check_scalar(self.lr, "lr", low=0)
        check_scalar(self.momentum, "momentum", low=0, low_inclusive=True, high=1.0)
        check_scalar(self.weight_decay, "weight_decay", low=0, low_inclusive=True)
        check_scalar(self.batch_size, "batch_size", low=1, low_inclusive=True, integer=True)
        check_scalar(self.tol, "tol", low=0)
        check_scalar(self.max_epochs, "max_epochs", low=1, low_inclusive=True, integer=True)
        for name in ("amp", "channels_last"):
            value = getattr(self, name)
            if not any(value is a or (isinstance(a, str) and value == a) for a in AUTO):
                raise InputError(f"{name} must be True, False or 'auto', got {value!r}")
        return self


def train_config_for(kind, **overrides):
    """LL's optimiser of a model kind (``nets.deep.models.model_kind``), with overrides.

    ``"resnet"``: SGD, lr 1e-3, momentum 0.9. ``"vit"``: Adam, lr 1e-3, weight decay 5e-5.
    """
    base = {"resnet": dict(method="sgd", lr=1e-3, momentum=0.9, weight_decay=0.0),
            "vit": dict(method="adam", lr=1e-3, momentum=0.0, weight_decay=5e-5)}
    check_choice(kind, base, "kind")
    return DeepTrainConfig(**{**base[kind], **overrides}).checked()


@dataclass
class DeepTrainResult:
    """What a training run did (numpy and Python values only).

    Attributes
    ----------
    losses : ndarray (epochs,)
        Mean training cross-entropy of the (main) task per epoch.
    aux_losses : ndarray (epochs,)
        MTL: mean (unweighted) auxiliary cross-entropy per epoch; otherwise empty.
    epochs : int
    converged : bool
        The last epoch's loss is below ``tol``.
    images : int
        Images passed forward and backward (both tasks).
    train_s : float
        Wall time of the epochs, seconds.
    device : str
    amp, channels_last : bool
        What was used.
    """

    losses: np.ndarray
    aux_losses: np.ndarray
    epochs: int
    converged: bool
    images: int
    train_s: float
    device: str
    amp: bool
    channels_last: bool

    @property
    def images_per_s(self):
        """Training throughput: images forward and backward per second."""
        return self.images / self.train_s if self.train_s > 0 else float("nan")


def mtl_aux_weight(n, n_aux, batch_size=128):
    """Weight of each auxiliary minibatch loss in MTL: ``(n/min(n, B)) / (n_aux/min(n_aux, B))``.

    The main task's minibatches per epoch over the auxiliary task's (LL's
    ``(n / min(n, 128)) / (n_aux / 128)`` for ``n_aux >= 128``).
    """
    n = check_scalar(n, "n", low=1, low_inclusive=True, integer=True)
    n_aux = check_scalar(n_aux, "n_aux", low=1, low_inclusive=True, integer=True)
    B = check_scalar(batch_size, "batch_size", low=1, low_inclusive=True, integer=True)
    return (n / min(n, B)) / (n_aux / min(n_aux, B))


def batches(order, batch_size):
    """Split an index order into minibatches of ``batch_size``; a last batch of 1 joins the one
    before it. Returns a list of index arrays."""
    out = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if len(out) > 1 and len(out[-1]) == 1:
        out[-2:] = [np.concatenate(out[-2:])]
    return out


def make_optimizer(model, config):
    """The torch optimiser of ``config`` over every parameter of ``model``."""
    if config.method == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    return torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def resolve_options(model, config, dev):
    """``(amp, memory_format)`` actually used on ``dev`` (``"auto"``: on for CUDA)."""
    cuda = dev.type == "cuda"
    amp = cuda if config.amp == "auto" else bool(config.amp)
    channels_last = (cuda and model.memory_format == torch.channels_last
                     if config.channels_last == "auto" else bool(config.channels_last))
    return amp, torch.channels_last if channels_last else torch.contiguous_format


def autocast(dev, amp):
    """bfloat16 autocast on ``dev`` when ``amp``; a null context otherwise."""
    return torch.autocast(dev.type, dtype=torch.bfloat16) if amp else contextlib.nullcontext()


def task_tensors(task, dev):
    """``(X, y, outputs)`` of a task as tensors on ``dev`` (the whole task is moved once)."""
    return (torch.as_tensor(task.X, device=dev), torch.as_tensor(task.y, device=dev).long(),
            torch.as_tensor(list(task.outputs), device=dev).long())


def train_pass(model, opt, data, order, batch_size, weight, dev, amp, fmt):
    """One pass over a task in ``order``; each minibatch loss times ``weight`` is one step.

    Returns the pass's mean (unweighted) cross-entropy over its images, a 0-d tensor.
    """
    X, y, outputs = data
    total = torch.zeros((), device=dev)
    for idx in batches(order, batch_size):
        idx = torch.as_tensor(idx, device=dev)
        xb = X[idx].contiguous(memory_format=fmt)
        with autocast(dev, amp):
            logits = model(xb).index_select(1, outputs)
        loss = F.cross_entropy(logits.float(), y[idx])
        opt.zero_grad(set_to_none=True)
        (loss * weight).backward()
        opt.step()
        total += loss.detach() * len(idx)
    return total / len(order)


def check_training(model, task, config, aux):
    """Checked ``(config, batch sizes)``; every error is raised before training starts."""
    if not isinstance(model, torch.nn.Module) or not hasattr(model, "readout"):
        raise InputTypeError(f"model must be a network of nets.deep.models, "
                             f"got {type(model).__name__}")
    if not isinstance(config, DeepTrainConfig):
        raise InputTypeError(f"config must be a DeepTrainConfig, got {type(config).__name__}")
    config = config.checked()
    num_classes = model.readout.out_features
    check_task(task, num_classes, "task", min_samples=2)
    if aux is not None:
        check_task(aux, num_classes, "aux", min_samples=2)
        if set(aux.outputs) & set(task.outputs):
            raise InputError("aux.outputs and task.outputs must be disjoint "
                             f"(shared: {sorted(set(aux.outputs) & set(task.outputs))})")
        if aux.X.shape[1:] != task.X.shape[1:]:
            raise InputError(f"aux.X images {aux.X.shape[1:]} differ from task.X images "
                             f"{task.X.shape[1:]}")
    return config


def train(model, task, config=DeepTrainConfig(), aux=None, seed=0, device="cpu"):
    """Train ``model`` in place on ``task`` (and ``aux``: MTL) until the stopping rule.

    Parameters
    ----------
    model : torch.nn.Module
        A network of :func:`featreuse.nets.deep.models.build_model` (moved to ``device``).
    task : DeepTask
        The task whose loss is the stopping rule (the main task; in pretraining the
        auxiliary task). At least 2 images.
    config : DeepTrainConfig
    aux : DeepTask, optional
        MTL: the auxiliary task, passed after the main task every epoch with each minibatch
        loss weighted by :func:`mtl_aux_weight`. Its outputs must be disjoint from ``task``'s.
    seed : int >= 0
        Seeds the minibatch order (``nets.seeding.DEEP_SHUFFLE``).
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"``.

    Returns
    -------
    DeepTrainResult

    Raises
    ------
    InputError, InputTypeError
        Bad arguments, before any step.
    DivergenceError
        An epoch's loss is NaN or infinite.

    Warns
    -----
    ConvergenceWarning
        Stopped at ``max_epochs`` with the loss still at or above ``tol``.
    """
    config = check_training(model, task, config, aux)
    dev = resolve_device(device)
    rng = stream(seed, DEEP_SHUFFLE)
    amp, fmt = resolve_options(model, config, dev)
    model.to(dev, memory_format=fmt)
    main = task_tensors(task, dev)
    aux_data = task_tensors(aux, dev) if aux is not None else None
    B, n = config.batch_size, len(task)
    weight = mtl_aux_weight(n, len(aux), B) if aux is not None else 0.0
    opt = make_optimizer(model, config)
    losses, aux_losses, images = [], [], 0
    model.train()
    start = time.perf_counter()
    for _ in range(config.max_epochs):
        loss = train_pass(model, opt, main, rng.permutation(n), min(n, B), 1.0, dev, amp, fmt)
        images += n
        if aux_data is not None:
            aux_loss = train_pass(model, opt, aux_data, rng.permutation(len(aux)),
                                  min(len(aux), B), weight, dev, amp, fmt)
            aux_losses.append(aux_loss.item())
            images += len(aux)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            raise DivergenceError(f"training loss is {losses[-1]} at epoch {len(losses)}")
        if losses[-1] < config.tol:
            break
    train_s = time.perf_counter() - start
    converged = losses[-1] < config.tol
    if not converged:
        warnings.warn(f"training stopped at max_epochs = {config.max_epochs} with loss "
                      f"{losses[-1]:.3g} >= tol = {config.tol:g}", ConvergenceWarning,
                      stacklevel=2)
    return DeepTrainResult(losses=np.array(losses), aux_losses=np.array(aux_losses),
                           epochs=len(losses), converged=converged, images=images,
                           train_s=train_s, device=str(dev), amp=amp,
                           channels_last=fmt == torch.channels_last)
