"""How much of a first layer W (m, d) lies in, and spans, the tasks' subspace col(M).

* energy ``||W M||_F^2 / ||W||_F^2`` in [0, 1]: the share of W's squared
  Frobenius norm inside col(M) (~ r/d for a random W; 1 for rows in col(M));
* coverage ``sigma_min(W M) / sigma_max(W M)`` in [0, 1] over the r singular
  values of W M (0 when m < r): 0 when W sees fewer than r directions of
  col(M), however high its energy;
* largest principal angle between the span of W's top-r right singular vectors
  and col(M), in radians (0: the top-r row space is col(M)). When rank W < r
  the top-r span includes arbitrary null directions of W and the angle is
  usually large.
"""
from dataclasses import dataclass

import numpy as np
from scipy.linalg import subspace_angles

from .tasks import check_orthonormal
from featreuse.errors import InputError
from featreuse.validation import as_float_array


@dataclass(frozen=True)
class SubspaceSummary:
    """The three measures of one W and the singular values they come from.

    Attributes
    ----------
    energy, coverage : float
    angle : float
        Largest principal angle, radians in [0, pi/2].
    singular_values : ndarray (r,)
        Singular values of ``W M``, decreasing (zero-padded when m < r).
    """

    energy: float
    coverage: float
    angle: float
    singular_values: np.ndarray


def _check(W, M):
    W = as_float_array(W, "W", ndim=2)
    M = check_orthonormal(M, "M")
    if W.shape[1] != M.shape[0]:
        raise InputError(f"W has {W.shape[1]} columns but M has d = {M.shape[0]} rows")
    if not np.any(W):
        raise InputError("W must not be zero")
    return W, M


def wm_singular_values(W, M):
    """Singular values of ``W M``, ndarray (r,), decreasing, zero-padded when m < r."""
    W, M = _check(W, M)
    s = np.linalg.svd(W @ M, compute_uv=False)
    return np.concatenate([s, np.zeros(M.shape[1] - s.size)])


def subspace_energy(W, M):
    """``||W M||_F^2 / ||W||_F^2``: the share of W's energy in col(M) (float in [0, 1]).

    Parameters
    ----------
    W : array_like (m, d)
    M : array_like (d, r), orthonormal columns
    """
    W, M = _check(W, M)
    return float(np.sum((W @ M) ** 2) / np.sum(W ** 2))


def subspace_coverage(W, M):
    """``sigma_min(W M) / sigma_max(W M)`` over the r singular values (float in [0, 1]).

    Parameters
    ----------
    W : array_like (m, d)
    M : array_like (d, r), orthonormal columns

    Returns
    -------
    float
        0 when ``W M = 0`` or m < r.
    """
    s = wm_singular_values(W, M)
    return float(s[-1] / s[0]) if s[0] > 0 else 0.0


def largest_principal_angle(W, M):
    """Largest principal angle (radians) between W's top-r right singular space and col(M).

    Parameters
    ----------
    W : array_like (m, d)
    M : array_like (d, r), orthonormal columns

    Returns
    -------
    float in [0, pi/2]
    """
    W, M = _check(W, M)
    r = M.shape[1]
    # full_matrices: the top-r right singular vectors exist even when m < r
    _, _, Vt = np.linalg.svd(W, full_matrices=True)
    return float(np.max(subspace_angles(Vt[:r].T, M)))


def subspace_summary(W, M):
    """Energy, coverage, largest angle and singular values of ``W M`` (a SubspaceSummary)."""
    s = wm_singular_values(W, M)
    return SubspaceSummary(energy=subspace_energy(W, M),
                           coverage=float(s[-1] / s[0]) if s[0] > 0 else 0.0,
                           angle=largest_principal_angle(W, M), singular_values=s)
