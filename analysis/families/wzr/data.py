"""Synthetic tasks of the WZR family (docs/wzr.md): WZR Fig. 3's generator and low-rank tasks.

Every random draw comes from ``numpy.random.SeedSequence(seed, spawn_key=(stream,))``
with one of the stream numbers below, so that for one seed the task parameters,
each task's inputs, each task's noise and the label corruption are independent of
each other and of the sizes that do not concern them. Input rows are drawn in
order, so a smaller sample is a prefix of a larger one.

**Fig. 3 tasks** (covariance and align studies). ``X = R D Q``: ``R`` (n, D)
standard Gaussian, ``D`` diagonal with ``kappa`` on a support ``S`` of size
``support`` and 1 elsewhere, ``Q`` (D, D) Haar orthogonal; the rows have covariance
``Q^T D^2 Q``. (WZR print ``X = R Q D``, whose covariance ``D Q^T Q D = D^2`` does not
depend on Q; Q is meant to rotate the covariance.) The target has ``D_1`` (support
``S_1``) and ``Q_1``; the sources: ``aligned`` (D_1, Q_1), ``rotated`` (D_1, Q_2),
``rescaled`` (D_2 on ``S_2``, disjoint from ``S_1``, and Q_1). The three sources share
``R``. Target ``theta_1`` is a unit vector; every source has
``theta_2 = cos theta_1 + sqrt(1 - cos^2) u``, ``u`` a unit vector orthogonal to theta_1.

**Low-rank tasks** (capacity and reweight studies): k tasks share ``X`` (n, D) with
standard Gaussian rows (covariance I); task i has the unit vector ``theta_i``
proportional to ``W c_i + individual g_i / sqrt(D)``, ``W`` (D, rank) orthonormal,
``c_i ~ N(0, I / rank)``, ``g_i ~ N(0, I)``.
"""
import functools
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
# the stream numbers of this family (nets.seeding's WZR_* table) and the one stream()
from featreuse.nets.seeding import WZR_CORRUPT as CORRUPT_STREAM
from featreuse.nets.seeding import WZR_PARAMS as PARAMS_STREAM
from featreuse.nets.seeding import WZR_SOURCE_NOISE as SOURCE_NOISE_STREAM
from featreuse.nets.seeding import WZR_SOURCE_X as SOURCE_X_STREAM
from featreuse.nets.seeding import WZR_TARGET_NOISE as TARGET_NOISE_STREAM
from featreuse.nets.seeding import WZR_TARGET_X as TARGET_X_STREAM
from featreuse.nets.seeding import stream


# ---------------------------------------------------------------- WZR Fig. 3 tasks
@dataclass(frozen=True)
class Fig3Tasks:
    """Parameters of the Fig. 3 target and its three possible sources.

    Attributes
    ----------
    theta_target, theta_source : ndarray (D,)
        Unit vectors with ``theta_target . theta_source = cos``.
    scales_target, scales_rescaled : ndarray (D,)
        Diagonals of ``D_1`` (kappa on S_1) and ``D_2`` (kappa on S_2).
    Q_target, Q_rotated : ndarray (D, D)
        ``Q_1`` and ``Q_2``.
    """

    theta_target: np.ndarray
    theta_source: np.ndarray
    scales_target: np.ndarray
    scales_rescaled: np.ndarray
    Q_target: np.ndarray
    Q_rotated: np.ndarray

    def geometry(self, source):
        """``(scales, Q)`` of a source: ``"aligned"``, ``"rotated"`` or ``"rescaled"``."""
        if source == "aligned":
            return self.scales_target, self.Q_target
        if source == "rotated":
            return self.scales_target, self.Q_rotated
        if source == "rescaled":
            return self.scales_rescaled, self.Q_target
        raise InputError(f"source must be 'aligned', 'rotated' or 'rescaled', got {source!r}")

    def target_covariance(self):
        """Population covariance ``Q_1^T D_1^2 Q_1`` (D, D) of the target's inputs."""
        return covariance(self.scales_target, self.Q_target)


def haar_orthogonal(rng, D):
    """A Haar-distributed orthogonal (D, D) matrix: QR of a Gaussian matrix, signs fixed so that
    R has a positive diagonal (Mezzadri, Notices AMS 2007)."""
    Q, R = np.linalg.qr(rng.standard_normal((D, D)))
    return Q * np.sign(np.diag(R))


def covariance(scales, Q):
    """Row covariance ``Q^T diag(scales)^2 Q`` of ``X = R diag(scales) Q``."""
    return (Q.T * scales ** 2) @ Q


@functools.lru_cache(maxsize=8)
def fig3_tasks(seed, D, support, kappa, cos):
    """The :class:`Fig3Tasks` of a seed (cached per process)."""
    rng = stream(seed, PARAMS_STREAM)
    perm = rng.permutation(D)
    scales_1, scales_2 = np.ones(D), np.ones(D)
    scales_1[perm[:support]] = kappa
    scales_2[perm[support:2 * support]] = kappa
    Q_1 = haar_orthogonal(rng, D)
    Q_2 = haar_orthogonal(rng, D)
    theta = rng.standard_normal(D)
    theta /= np.linalg.norm(theta)
    u = rng.standard_normal(D)
    u -= (u @ theta) * theta
    u /= np.linalg.norm(u)
    theta_2 = cos * theta + np.sqrt(1.0 - cos ** 2) * u
    return Fig3Tasks(theta, theta_2, scales_1, scales_2, Q_1, Q_2)


def fig3_target(seed, tasks, n, noise):
    """Target inputs (n, D) and labels (n,): ``X = R D_1 Q_1``, ``y = X theta_1 + noise eps``."""
    D = tasks.theta_target.size
    R = stream(seed, TARGET_X_STREAM).standard_normal((n, D))
    X = (R * tasks.scales_target) @ tasks.Q_target
    y = X @ tasks.theta_target + noise * stream(seed, TARGET_NOISE_STREAM).standard_normal(n)
    return X, y


def fig3_source(seed, tasks, source, n, noise):
    """Source inputs (n, D) and labels (n,): ``X = R D Q``, ``y = X theta_2 + noise eps``.

    ``D`` and ``Q`` are those of ``source`` (:meth:`Fig3Tasks.geometry`); R is shared by
    the three sources of a seed.
    """
    scales, Q = tasks.geometry(source)
    D = scales.size
    X = (stream(seed, SOURCE_X_STREAM).standard_normal((n, D)) * scales) @ Q
    y = X @ tasks.theta_source + noise * stream(seed, SOURCE_NOISE_STREAM).standard_normal(n)
    return X, y


# ---------------------------------------------------------------- low-rank tasks sharing X
@functools.lru_cache(maxsize=8)
def low_rank_thetas(seed, D, k, rank, individual):
    """Unit task parameters (D, k) near a shared rank-``rank`` subspace (module docstring)."""
    rng = stream(seed, PARAMS_STREAM)
    W = np.linalg.qr(rng.standard_normal((D, rank)))[0]
    C = rng.standard_normal((rank, k)) / np.sqrt(rank)
    thetas = W @ C + individual * rng.standard_normal((D, k)) / np.sqrt(D)
    return thetas / np.linalg.norm(thetas, axis=0)


def shared_data(seed, thetas, n, noise):
    """Shared inputs X (n, D), standard Gaussian, and labels ``y_i = X theta_i + noise eps_i``.

    Returns
    -------
    X : ndarray (n, D)
    ys : list of k ndarrays (n,)
    """
    D, k = thetas.shape
    X = stream(seed, TARGET_X_STREAM).standard_normal((n, D))
    eps = stream(seed, TARGET_NOISE_STREAM).standard_normal((n, k))
    Y = X @ thetas + noise * eps
    return X, list(Y.T)


def corrupt_labels(seed, y, fraction, scale):
    """Replace ``round(fraction n)`` random labels by independent ``N(0, scale^2)`` draws.

    Returns
    -------
    y : ndarray (n,)
        A copy with the random labels.
    rows : ndarray of int
        Which rows were replaced.
    """
    rng = stream(seed, CORRUPT_STREAM)
    n = y.size
    rows = np.sort(rng.choice(n, size=int(round(fraction * n)), replace=False))
    y = y.copy()
    y[rows] = scale * rng.standard_normal(rows.size)
    return y, rows
