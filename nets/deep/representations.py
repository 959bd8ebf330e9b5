"""Per-layer activations of a deep network (forward hooks) and their PR / overlap / ENSD.

The layers are the model's ``representation_layers()`` (ResNet: stem, each
stage, pooled features, logits; ViT: embedding, each block, CLS token, logits);
a layer's activation of an image is its output flattened to one vector.
LL's choices are the defaults: the networks in **train mode** (BatchNorm
normalises with the statistics of each minibatch of ``batch_size`` images, in
the order given) and uncentred metrics. Train mode does not change the
networks: BatchNorm's running statistics are put back afterwards.

Memory: the activations of every layer for all n images are held at once, in
float32 on the device of the run (the traces are computed there, in float64):
about ``4 n sum_l d_l`` bytes per network (ResNet-18 with LL's stem at width 1:
12,400 features per image, 50 MB at n = 1000; with the CIFAR stem 190,000
features, 0.76 GB).
"""
import time
from dataclasses import dataclass

import numpy as np
import torch

from .metrics import participation_ratio, similarity
from .train import batches
from ..device import resolve_device
from featreuse.errors import InputError, InputTypeError
from featreuse.validation import check_choice, check_scalar

MODES = ("train", "eval")


@dataclass
class LayerMetrics:
    """Per-layer representation metrics (arrays aligned with ``layers``).

    Attributes
    ----------
    layers : list of str
    pr : ndarray (L,)
        Participation ratio of the network measured (the finetuned one).
    pr_pre, overlap, ensd : ndarray (L,)
        PR of the reference (pretrained) network, ``tr(C_pre C)`` and ENSD; NaN without one.
    metrics_s : float
        Wall time of the forward passes and the metrics, seconds.
    images : int
        Images passed forward (every network).
    """

    layers: list
    pr: np.ndarray
    pr_pre: np.ndarray
    overlap: np.ndarray
    ensd: np.ndarray
    metrics_s: float
    images: int


def _checked(X, mode, batch_size):
    if not isinstance(X, np.ndarray) or X.ndim != 4 or X.dtype != np.float32:
        raise InputError(f"X must be a float32 array (n, C, H, W), got "
                         f"{getattr(X, 'dtype', type(X).__name__)} {getattr(X, 'shape', '')}")
    check_choice(mode, MODES, "mode")
    return check_scalar(batch_size, "batch_size", low=1, low_inclusive=True, integer=True)


@torch.no_grad()
def layer_activations(model, X, mode="train", batch_size=128, device="cpu"):
    """``{layer: activations (n, d) float32 tensor on the device}`` of ``model`` on ``X``.

    Parameters
    ----------
    model : torch.nn.Module
        A network of :mod:`featreuse.nets.deep.models` (moved to ``device``; its mode and its
        BatchNorm running statistics are restored afterwards).
    X : ndarray (n, C, H, W), float32
    mode : {"train", "eval"}
        ``"train"`` (LL): BatchNorm uses each minibatch's statistics.
    batch_size : int
        Images per forward pass (in train mode this sets the BatchNorm batches).
    device : str
    """
    if not hasattr(model, "representation_layers"):
        raise InputTypeError(f"model must be a network of nets.deep.models, "
                             f"got {type(model).__name__}")
    batch_size = _checked(X, mode, batch_size)
    dev = resolve_device(device)
    was_training = model.training
    buffers = {name: b.clone() for name, b in model.named_buffers()}
    model.to(dev).train(mode == "train")
    layers = model.representation_layers()
    chunks = {name: [] for name in layers}
    hooks = [module.register_forward_hook(
        lambda _m, _i, out, name=name: chunks[name].append(out.flatten(1).float()))
        for name, module in layers.items()]
    try:
        for idx in batches(np.arange(len(X)), batch_size):    # a last batch of 1 joins
            model(torch.as_tensor(X[idx], device=dev))
    finally:
        for h in hooks:
            h.remove()
        model.load_state_dict(buffers, strict=False)
        model.train(was_training)
    return {name: torch.cat(c) for name, c in chunks.items()}


def representation_metrics(model, X, reference=None, center=False, mode="train",
                           batch_size=128, device="cpu"):
    """Per-layer PR of ``model`` on ``X``; with ``reference``, also its PR, overlap and ENSD.

    Parameters
    ----------
    model : torch.nn.Module
        The network measured (e.g. finetuned).
    X : ndarray (n, C, H, W), float32
        The images (LL: the main task's training images).
    reference : torch.nn.Module, optional
        A network with the same layers (e.g. the pretrained one, before rescaling).
    center : bool
        Centre each feature over the images (LL: False).
    mode : {"train", "eval"}
        Mode of both networks during the forward passes (LL: "train").
    batch_size : int
    device : str

    Returns
    -------
    LayerMetrics
    """
    start = time.perf_counter()
    post = layer_activations(model, X, mode, batch_size, device)
    pre = None if reference is None else layer_activations(reference, X, mode, batch_size,
                                                           device)
    if pre is not None and list(pre) != list(post):
        raise InputError(f"reference layers {list(pre)} differ from model layers {list(post)}")
    names = list(post)
    nan = np.full(len(names), np.nan)
    pr, pr_pre, overlap, ensd = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    for i, name in enumerate(names):
        if pre is None:
            pr[i] = participation_ratio(post[name], center)
        else:
            s = similarity(pre[name], post[name], center)
            pr[i], pr_pre[i], overlap[i], ensd[i] = s.pr_post, s.pr_pre, s.overlap, s.ensd
    return LayerMetrics(layers=names, pr=pr, pr_pre=pr_pre, overlap=overlap, ensd=ensd,
                        metrics_s=time.perf_counter() - start,
                        images=len(X) * (1 if reference is None else 2))
