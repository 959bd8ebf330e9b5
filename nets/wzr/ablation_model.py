"""The nonlinear shared-module model of the alignment ablation (WZR Algorithm 1, docs/wzr.md).

Task i (of k) reads its inputs ``X_i`` (n_i, D) through its own fixed embedding
``E_i`` (D, d) and its alignment module ``R_i`` (d, d), then the shared module, a
two-layer ReLU network of width h, and its own affine head:

    Z_i = X_i E_i R_i                                     (n_i, d)   what the module reads
    F_i = relu(relu(Z_i W_1 + b_1) W_2 + b_2)             (n_i, h)   what the head reads
    f_i = F_i a_i + c_i                                   (n_i,)

``W_1`` (d, h), ``b_1`` (h,), ``W_2`` (h, h), ``b_2`` (h,) are shared; ``a_i`` (h,)
and ``c_i`` are task i's head. ``R_i = I`` is the model without alignment. The loss
is the sum of squared errors on labels ``y_i`` in {-1, +1}.

With ``h >= d`` and ``W_1`` of rank d, ``Z_i`` is determined by ``Z_i W_1``, so the
loss sees ``R_i`` on the row space of ``X_i E_i`` in full: unlike the linear model's
``R_i B`` (docs/wzr.md), the aligned inputs ``Z_i`` and their CovSim are identified.
"""
from dataclasses import dataclass, replace

import numpy as np
import torch

from ..seeding import WZR_ABLATION_INIT

#: stream number (:func:`featreuse.nets.seeding.stream`) of the model's initialisation
INIT_STREAM = WZR_ABLATION_INIT
#: names of the shared module's arrays, in the order :func:`module_tensors` returns them
MODULE = ("W1", "b1", "W2", "b2")


@dataclass
class AblationNet:
    """The parameters of the ablation model (numpy float64 arrays).

    Attributes
    ----------
    embeddings : ndarray (k, D, d)
        The tasks' fixed input maps ``E_i``.
    R : ndarray (k, d, d)
        Alignment modules (the identity without alignment).
    W1 : ndarray (d, h)
    b1 : ndarray (h,)
    W2 : ndarray (h, h)
    b2 : ndarray (h,)
        The shared module.
    heads : ndarray (k, h)
        ``a_i``.
    offsets : ndarray (k,)
        ``c_i``.
    """

    embeddings: np.ndarray
    R: np.ndarray
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    heads: np.ndarray
    offsets: np.ndarray

    @property
    def k(self):
        """Number of tasks."""
        return self.embeddings.shape[0]

    def module(self):
        """``(W1, b1, W2, b2)``: the shared module's arrays."""
        return tuple(getattr(self, name) for name in MODULE)

    def updated(self, **arrays):
        """A copy with ``arrays`` replaced (every array copied)."""
        out = replace(self, **arrays)
        for name, value in vars(out).items():
            setattr(out, name, np.array(value, dtype=float))
        return out


def init_net(rng, embeddings, width):
    """A random start: He-normal ``W_1``, ``W_2`` (entries N(0, 2 / fan-in)), zero biases,
    heads with entries N(0, 1 / h), zero offsets, ``R_i = I``.

    Parameters
    ----------
    rng : numpy.random.Generator
    embeddings : ndarray (k, D, d)
    width : int
        h.
    """
    k, _, d = embeddings.shape
    return AblationNet(embeddings=np.array(embeddings, dtype=float),
                       R=np.repeat(np.eye(d)[None], k, axis=0),
                       W1=rng.standard_normal((d, width)) * np.sqrt(2.0 / d),
                       b1=np.zeros(width),
                       W2=rng.standard_normal((width, width)) * np.sqrt(2.0 / width),
                       b2=np.zeros(width),
                       heads=rng.standard_normal((k, width)) / np.sqrt(width),
                       offsets=np.zeros(k))


def tensor(array, device, grad=False):
    """A float64 tensor of ``array`` on ``device`` (a copy), optionally a trainable leaf."""
    return torch.tensor(np.asarray(array, dtype=float), dtype=torch.float64, device=device,
                        requires_grad=grad)


def module_tensors(net, device, grad=False):
    """``[W1, b1, W2, b2]`` as tensors (:func:`tensor`)."""
    return [tensor(a, device, grad) for a in net.module()]


def features(Z, module):
    """``relu(relu(Z W_1 + b_1) W_2 + b_2)``, (n, h), of module inputs ``Z`` (n, d)."""
    W1, b1, W2, b2 = module
    return torch.relu(torch.relu(Z @ W1 + b1) @ W2 + b2)


def outputs(Z, R, module, head, offset):
    """Predictions (n,) of one task from its embedded inputs ``Z = X E`` (n, d) and ``R`` (d, d)."""
    return features(Z @ R, module) @ head + offset


def squared_error(Z, y, R, module, head, offset):
    """``||f - y||^2`` of one task, a scalar Tensor."""
    return torch.sum((outputs(Z, R, module, head, offset) - y) ** 2)
