"""Participation ratio, overlap and ENSD of representations (LL's signature of nesting).

For activations ``X`` (n samples x d features) let ``C = X^T X / tr(X^T X)``
(the second-moment matrix scaled to trace 1). Then

* participation ratio ``PR = tr(C)^2 / tr(C^2) = 1 / tr(C^2)``: the effective
  number of dimensions (k equal eigenvalues: PR = k);
* overlap ``tr(C_pre C_post)`` of two representations of the same samples;
* ENSD, the effective number of shared dimensions,
  ``PR_pre * PR_post * tr(C_pre C_post)`` (two k-dimensional representations
  that share m directions with equal weights: ENSD = m).

LL computed them uncentred (``center=False``, the default); ``center=True``
subtracts each feature's mean over the samples first (a covariance).
Every trace is computed from whichever of the d x d (feature space) or n x n
(sample space: ``tr(C^2) = ||X X^T||_F^2 / tr(X X^T)^2`` and
``tr(C_a C_b) = ||A B^T||_F^2 / (tr(A A^T) tr(B B^T))``) matrices is smaller;
the values are the same. Accumulation is in float64.
"""
from dataclasses import dataclass

import numpy as np
import torch

from featreuse.errors import InputError, InputTypeError


def _as_matrix(X, name):
    if isinstance(X, np.ndarray):
        X = torch.from_numpy(X)
    if not isinstance(X, torch.Tensor):
        raise InputTypeError(f"{name} must be an array or tensor (n, d), got {type(X).__name__}")
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise InputError(f"{name} must be a non-empty (n samples, d features) matrix, "
                         f"got shape {tuple(X.shape)}")
    X = X.to(torch.float64)
    if not torch.isfinite(X).all():
        raise InputError(f"{name} contains NaN or inf")
    return X


def _prepare(X, center, name):
    X = _as_matrix(X, name)
    if center:
        X = X - X.mean(0, keepdim=True)
    if float((X * X).sum()) == 0.0:
        raise InputError(f"{name} is zero{' after centring' if center else ''}: "
                         "its second moment has no trace")
    return X


def _gram(A, B, feature_space):
    """``A^T B`` (d x d) in feature space, ``A B^T`` (n x n) in sample space."""
    return A.T @ B if feature_space else A @ B.T


def second_moment(X, center=False):
    """``C = X^T X / tr(X^T X)`` (d x d, float64): the feature-space matrix itself.

    Parameters
    ----------
    X : ndarray or Tensor (n, d)
    center : bool
        Subtract each feature's mean over the samples first.
    """
    X = _prepare(X, center, "X")
    M = X.T @ X
    return (M / torch.trace(M)).cpu().numpy()


def participation_ratio(X, center=False):
    """``PR = tr(C)^2 / tr(C^2)`` of activations ``X`` (n, d); a float in ``[1, min(n, d)]``."""
    X = _prepare(X, center, "X")
    K = _gram(X, X, X.shape[1] <= X.shape[0])
    return float(torch.trace(K) ** 2 / (K * K).sum())


@dataclass
class Similarity:
    """PR of two representations of the same samples, their overlap and ENSD (floats)."""

    pr_pre: float
    pr_post: float
    overlap: float
    ensd: float


def similarity(X_pre, X_post, center=False):
    """PR of each, ``overlap = tr(C_pre C_post)`` and ``ENSD = PR_pre PR_post overlap``.

    Parameters
    ----------
    X_pre, X_post : ndarray or Tensor (n, d)
        Activations of the same n samples in the same d features (one layer of the
        pretrained and of the finetuned network).
    center : bool

    Returns
    -------
    Similarity
    """
    A, B = _prepare(X_pre, center, "X_pre"), _prepare(X_post, center, "X_post")
    if A.shape != B.shape:
        raise InputError(f"X_pre {tuple(A.shape)} and X_post {tuple(B.shape)} must have the "
                         "same shape (same samples, same features)")
    feature_space = A.shape[1] <= A.shape[0]
    Ka, Kb = _gram(A, A, feature_space), _gram(B, B, feature_space)
    ta, tb = torch.trace(Ka), torch.trace(Kb)
    pr_pre = float(ta ** 2 / (Ka * Ka).sum())
    pr_post = float(tb ** 2 / (Kb * Kb).sum())
    if feature_space:       # tr(A^T A B^T B): the elementwise product of the d x d matrices
        cross = (Ka * Kb).sum()
    else:                   # the same trace is ||A B^T||_F^2 (n x n)
        cross = (_gram(A, B, False) ** 2).sum()
    overlap = float(cross / (ta * tb))
    return Similarity(pr_pre=pr_pre, pr_post=pr_post, overlap=overlap,
                      ensd=pr_pre * pr_post * overlap)
