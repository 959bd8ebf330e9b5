"""Summaries of trained ReLU networks: norms, active units, unit clusters, finetuning change.

Notation: hidden weights ``W`` (K, D) with rows ``w_k``, readout ``a`` (T, K)
(or (K,) for one task); the contribution of unit k is
``c_k = ||w_k|| ||a_{:,k}||_2``.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar


def _check_W_a(W, a):
    W = as_float_array(W, "W", ndim=2)
    a = as_float_array(a, "a")
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != W.shape[0]:
        raise InputError(f"a must have shape (K,) or (T, K) with K = {W.shape[0]} "
                         f"(the rows of W), got {a.shape}")
    return W, a


def unit_contributions(W, a):
    """Per-unit contributions ``c_k = ||w_k|| ||a_{:,k}||``, ndarray (K,).

    Parameters
    ----------
    W : array_like (K, D)
    a : array_like (K,) or (T, K)
    """
    W, a = _check_W_a(W, a)
    return np.linalg.norm(W, axis=1) * np.linalg.norm(a, axis=0)


def f1_norm(W, a):
    """``sum_k ||w_k|| |a_k|`` of a single-readout network (a (K,) or (1, K))."""
    W, a = _check_W_a(W, a)
    if a.shape[0] != 1:
        raise InputError(f"a must be a single readout for f1_norm, got {a.shape[0]} rows; "
                         "use group_sparse_norm")
    return float(np.sum(np.linalg.norm(W, axis=1) * np.abs(a[0])))


def group_sparse_norm(W, a):
    """Group-sparse norm ``sum_k ||w_k|| ||a_{:,k}||_2`` (equals ``f1_norm`` for one readout)."""
    return float(np.sum(unit_contributions(W, a)))


def effective_units(W, a):
    """Participation ratio ``(sum_k c_k)^2 / sum_k c_k^2`` of the unit contributions.

    ``m`` units with equal contributions (the rest zero) give ``m``. Returns
    0.0 for a network whose contributions all vanish.
    """
    c = unit_contributions(W, a)
    denominator = np.sum(c ** 2)
    return float(np.sum(c) ** 2 / denominator) if denominator > 0 else 0.0


def representation_participation_ratio(W, X):
    """Participation ratio of the hidden representation ``ReLU(X W^T)``.

    ``(sum_i lambda_i)^2 / sum_i lambda_i^2`` over the eigenvalues of the
    covariance (centred over the n inputs) of the K hidden activations.

    Parameters
    ----------
    W : array_like (K, D)
    X : array_like (n, D)

    Returns
    -------
    float
        Between 1 and min(n - 1, K); 0.0 if the representation is constant.
    """
    W = as_float_array(W, "W", ndim=2)
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but W has D = {W.shape[1]}")
    H = np.maximum(X @ W.T, 0.0)
    H -= H.mean(axis=0)
    # The nonzero eigenvalues of H^T H and H H^T agree; use the smaller Gram matrix.
    G = H.T @ H if H.shape[1] <= H.shape[0] else H @ H.T
    trace, frob2 = np.trace(G), np.sum(G * G)
    return float(trace ** 2 / frob2) if frob2 > 0 else 0.0


def unit_alignment(units, teacher_units, signed=False):
    """Alignment of each unit with the closest teacher unit.

    Parameters
    ----------
    units : array_like (n, D)
    teacher_units : array_like (m, D)
    signed : bool
        False: ``max_j |cos(u_i, t_j)|``; True: ``max_j cos(u_i, t_j)`` (for
        ReLU units, ``w`` and ``-w`` are different features).

    Returns
    -------
    ndarray (n,)
        NaN for a zero unit.
    """
    units = as_float_array(units, "units", ndim=2)
    teacher_units = as_float_array(teacher_units, "teacher_units", ndim=2)
    if teacher_units.shape[1] != units.shape[1]:
        raise InputError(f"teacher_units has D = {teacher_units.shape[1]} but units has "
                         f"D = {units.shape[1]}")
    norms = np.linalg.norm(units, axis=1)
    t = teacher_units / np.linalg.norm(teacher_units, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (units @ t.T) / norms[:, None]
    return (cos if signed else np.abs(cos)).max(axis=1)


@dataclass
class UnitClusters:
    """k-means of the normalised hidden weights ``w_k / ||w_k||``.

    Attributes
    ----------
    n_clusters : ndarray (n_k,) of int
        1, 2, ..., up to ``max_clusters`` (and at most the number of distinct
        directions).
    inertia : ndarray (n_k,)
        Sum of (weighted) squared distances of the unit directions to their
        centre, for each number of clusters.
    centres : list of ndarray (k, D)
        Cluster centres (not renormalised) for each number of clusters.
    labels : list of ndarray (n_units,) of int
    centre_alignment : list of ndarray (k,) or None
        ``max_j |cos(centre, teacher unit j)|`` of each centre (signed max
        if ``signed``), when teacher units were given.
    unit_alignment : ndarray (n_units,) or None
        The same for each unit direction.
    units : ndarray (n_units,) of int
        Rows of ``W`` that were clustered (those with nonzero norm).
    """

    n_clusters: np.ndarray
    inertia: np.ndarray
    centres: list
    labels: list
    centre_alignment: list
    unit_alignment: np.ndarray
    units: np.ndarray


def unit_clusters(W, max_clusters=10, teacher_units=None, sample_weight=None, seed=0,
                  n_init=10, signed=False):
    """k-means (scikit-learn ``KMeans``) of the unit directions for k = 1..max_clusters.

    Parameters
    ----------
    W : array_like (K, D)
    max_clusters : int >= 1
    teacher_units : array_like (m, D), optional
        Teacher units to measure the alignment of centres and units with.
    sample_weight : array_like (K,), optional
        Weight of each unit, e.g. :func:`unit_contributions`, so that units
        that do not contribute to the output do not shape the clusters.
        Default: all 1.
    seed : int
        ``random_state`` of ``KMeans``.
    n_init : int
        k-means++ restarts (``KMeans(n_init=...)``).
    signed : bool
        Alignment by the signed instead of the absolute cosine.

    Returns
    -------
    UnitClusters
    """
    from sklearn.cluster import KMeans     # imported here: scikit-learn is slow to import

    W = as_float_array(W, "W", ndim=2)
    max_clusters = check_scalar(max_clusters, "max_clusters", low=1, low_inclusive=True,
                                integer=True)
    n_init = check_scalar(n_init, "n_init", low=1, low_inclusive=True, integer=True)
    seed = check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True)
    norms = np.linalg.norm(W, axis=1)
    used = np.flatnonzero(norms > 0)
    if used.size == 0:
        raise InputError("W has no nonzero unit to cluster")
    U = W[used] / norms[used, None]
    weight = None
    if sample_weight is not None:
        weight = as_float_array(sample_weight, "sample_weight", shape=(W.shape[0],))[used]
        if np.any(weight < 0) or not np.any(weight > 0):
            raise InputError("sample_weight must be >= 0 with at least one positive entry")
    distinct = np.unique(U, axis=0).shape[0]
    ks = np.arange(1, min(max_clusters, distinct) + 1)
    inertia, centres, labels = [], [], []
    for k in ks:
        km = KMeans(n_clusters=int(k), n_init=n_init, random_state=seed).fit(
            U, sample_weight=weight)
        inertia.append(km.inertia_)
        centres.append(km.cluster_centers_)
        labels.append(km.labels_)
    centre_alignment = units_alignment = None
    if teacher_units is not None:
        centre_alignment = [unit_alignment(c, teacher_units, signed) for c in centres]
        units_alignment = unit_alignment(U, teacher_units, signed)
    return UnitClusters(n_clusters=ks, inertia=np.array(inertia), centres=centres,
                        labels=labels, centre_alignment=centre_alignment,
                        unit_alignment=units_alignment, units=used)


@dataclass
class UnitChange:
    """Per-unit change of the hidden weights over finetuning.

    Attributes
    ----------
    norm_ratio : ndarray (K,)
        ``||w_after|| / ||w_before||`` (NaN where ``w_before = 0``).
    cosine : ndarray (K,)
        ``cos(w_before, w_after)`` (NaN where either is 0).
    """

    norm_ratio: np.ndarray
    cosine: np.ndarray


def finetune_unit_change(W_before, W_after):
    """Norm ratio and cosine between each unit before and after finetuning.

    Parameters
    ----------
    W_before : array_like (K, D)
        Hidden weights at the finetuning start (after rescaling).
    W_after : array_like (K, D)

    Returns
    -------
    UnitChange
    """
    W_before = as_float_array(W_before, "W_before", ndim=2)
    W_after = as_float_array(W_after, "W_after", shape=W_before.shape)
    n_before = np.linalg.norm(W_before, axis=1)
    n_after = np.linalg.norm(W_after, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(n_before > 0, n_after / n_before, np.nan)
        cosine = np.sum(W_before * W_after, axis=1) / (n_before * n_after)
    cosine[(n_before == 0) | (n_after == 0)] = np.nan
    return UnitChange(norm_ratio=ratio, cosine=cosine)
