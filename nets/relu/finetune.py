"""LL's PT+FT initialisation of a ReLU network.

After pretraining, the readout is re-drawn at the initialisation scale,
``a ~ N(0, sigma^2 * 2 / K)`` (a fresh draw from the ``RELU_READOUT`` of
``seed``), and the hidden weights are rescaled, ``W <- s W``
(LL: ``s`` in {0.01, 0.1, 1, 10, 100}); then all weights (PT+FT) or only
the readout (PT+FT (LP)) are trained on the main task.
"""
import numpy as np

from ..seeding import RELU_READOUT, stream
from featreuse.validation import as_float_array, check_scalar


def ptft_init(W_pre, rescale, seed, sigma=1e-3, n_tasks=1):
    """Finetuning start from pretrained hidden weights.

    Parameters
    ----------
    W_pre : array_like (K, D)
        Pretrained hidden weights.
    rescale : float > 0
        ``s`` in ``W <- s W``.
    seed : int >= 0
        Seed of the readout draw.
    sigma : float >= 0
        Initialisation scale of the new readout.
    n_tasks : int
        Readout rows.

    Returns
    -------
    W : ndarray (K, D), float64
        ``rescale * W_pre``, one float64 product per entry.
    a : ndarray (n_tasks, K), float64
        ``N(0, sigma^2 2/K)`` entries.
    """
    W_pre = as_float_array(W_pre, "W_pre", ndim=2)
    rescale = check_scalar(rescale, "rescale", low=0)
    sigma = check_scalar(sigma, "sigma", low=0, low_inclusive=True)
    n_tasks = check_scalar(n_tasks, "n_tasks", low=1, low_inclusive=True, integer=True)
    K = W_pre.shape[0]
    a = stream(seed, RELU_READOUT).standard_normal((n_tasks, K)) * (sigma * np.sqrt(2.0 / K))
    return rescale * W_pre, a
