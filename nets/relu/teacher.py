"""LL's ReLU teacher-student tasks (Lippl & Lindsey 2024, ReLU experiments).

The teacher is a one-hidden-layer ReLU network ``y = sum_k a_k ReLU(<w_k, x>)``.

* Auxiliary task: ``n_aux_units`` (6) units ``w_1 .. w_6``, the first rows of a
  Haar-random orthogonal ``D x D`` matrix ``Q``, output weights
  ``+-1/sqrt(6)`` with random signs.
* Main task: ``n_main_units`` (n2 = 1..6) units
  ``w'_k = rho_k w_k + sqrt(1 - rho_k^2) w_{6+k}``, so that
  ``<w'_k, w_k> = rho_k`` and ``||w'_k|| = 1``; output weights
  ``+-magnitude/sqrt(n2)`` with signs drawn independently of the auxiliary
  ones.

``magnitude`` scales the main output weights (LL's "correlation x
magnitude" experiment uses 1, .5, .1, .05, .01). That it multiplies the
``1/sqrt(n2)`` output weights, rather than, say, the unit norms, is our
reconstruction of LL's protocol; for a ReLU teacher the two coincide up to
where the scale sits (``a ReLU(w.x) = (a c) ReLU((w/c).x)`` for ``c > 0``).

Inputs are ``x ~ N(0, I_D)`` rescaled to ``||x||^2 = D``; targets are
noiseless. Every draw is a deterministic function of an integer seed with
independent streams for the teacher, the auxiliary data, the main data and
the test data (:mod:`featreuse.nets.seeding`). Consequences:

* ``Q`` and all signs are drawn in a fixed order that does not depend on
  ``n_main_units``, ``rho`` or ``magnitude``: the auxiliary task (and so any
  pretraining) is shared by every main task of a seed, and the main task
  with n2 units is a prefix of the one with 6.
* The main training set with ``n`` samples is the first ``n`` rows of any
  larger one (prefix nesting), and does not depend on the teacher.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
from ..seeding import RELU_AUX, RELU_MAIN, RELU_TEACHER, RELU_TEST, stream
from featreuse.validation import as_float_array, check_scalar


@dataclass(frozen=True)
class ReluTeacher:
    """Auxiliary and main ReLU teachers.

    Attributes
    ----------
    aux_units : ndarray (n_aux_units, D)
        Orthonormal rows ``w_k``.
    aux_readout : ndarray (n_aux_units,)
        ``+-1/sqrt(n_aux_units)``.
    main_units : ndarray (n_main_units, D)
        Unit rows ``w'_k``, ``<w'_k, w_k> = rho_k``.
    main_readout : ndarray (n_main_units,)
        ``+-magnitude/sqrt(n_main_units)``.
    rho : ndarray (n_main_units,)
        Cosine of each main unit with its auxiliary unit.
    magnitude : float
    """

    aux_units: np.ndarray
    aux_readout: np.ndarray
    main_units: np.ndarray
    main_readout: np.ndarray
    rho: np.ndarray
    magnitude: float

    @property
    def D(self):
        """Input dimension."""
        return self.aux_units.shape[1]

    def aux(self, X):
        """Auxiliary targets ``(n,)`` of inputs ``X`` (n, D)."""
        return _teacher_output(self.aux_units, self.aux_readout, X)

    def main(self, X):
        """Main targets ``(n,)`` of inputs ``X`` (n, D)."""
        return _teacher_output(self.main_units, self.main_readout, X)


def _teacher_output(units, readout, X):
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != units.shape[1]:
        raise InputError(f"X must have D = {units.shape[1]} columns, got {X.shape[1]}")
    return np.maximum(X @ units.T, 0.0) @ readout


def _haar_orthogonal(rng, D):
    # QR of a Gaussian matrix with the signs of R's diagonal moved into Q is
    # Haar-distributed on O(D).
    q, r = np.linalg.qr(rng.standard_normal((D, D)))
    return q * np.sign(np.diag(r))


def make_teacher(seed, D=15, n_main_units=6, rho=1.0, magnitude=1.0, n_aux_units=6):
    """Draw LL's auxiliary and main ReLU teachers for ``seed``.

    Parameters
    ----------
    seed : int >= 0
    D : int
        Input dimension, at least ``n_aux_units + n_main_units``.
    n_main_units : int, 1 <= n_main_units <= n_aux_units
        Units n2 of the main teacher.
    rho : float or array_like (n_main_units,), each in [-1, 1]
        Cosine of main unit k with auxiliary unit k.
    magnitude : float > 0
        Scale of the main output weights (see the module notes).
    n_aux_units : int
        Units of the auxiliary teacher (LL: 6).

    Returns
    -------
    ReluTeacher
    """
    D = check_scalar(D, "D", low=1, low_inclusive=True, integer=True)
    n_aux_units = check_scalar(n_aux_units, "n_aux_units", low=1, low_inclusive=True,
                               integer=True)
    n_main_units = check_scalar(n_main_units, "n_main_units", low=1, high=n_aux_units,
                                low_inclusive=True, integer=True)
    magnitude = check_scalar(magnitude, "magnitude", low=0)
    if D < n_aux_units + n_main_units:
        raise InputError(f"D must be >= n_aux_units + n_main_units = "
                         f"{n_aux_units + n_main_units}, got {D}")
    rho = as_float_array(rho, "rho")
    if rho.ndim == 0:
        rho = np.full(n_main_units, float(rho))
    elif rho.shape != (n_main_units,):
        raise InputError(f"rho must be a scalar or have shape ({n_main_units},), got {rho.shape}")
    if np.any(np.abs(rho) > 1):
        raise InputError("rho must lie in [-1, 1]")
    rng = stream(seed, RELU_TEACHER)
    # Fixed draw order, independent of n_main_units, rho and magnitude.
    Q = _haar_orthogonal(rng, D)
    signs = np.array([-1.0, 1.0])
    aux_signs = rng.choice(signs, size=n_aux_units)
    main_signs = rng.choice(signs, size=n_aux_units)[:n_main_units]
    aux_units = Q[:n_aux_units].copy()
    partners = Q[n_aux_units:n_aux_units + n_main_units]
    main_units = (rho[:, None] * aux_units[:n_main_units]
                  + np.sqrt(1.0 - rho ** 2)[:, None] * partners)
    return ReluTeacher(aux_units=aux_units,
                       aux_readout=aux_signs / np.sqrt(n_aux_units),
                       main_units=main_units,
                       main_readout=main_signs * magnitude / np.sqrt(n_main_units),
                       rho=rho, magnitude=magnitude)


def sample_inputs(rng, n, D):
    """Draw ``n`` inputs ``x ~ N(0, I_D)`` rescaled to ``||x||^2 = D``.

    Rows are drawn one after the other from ``rng``, so the first ``m`` rows
    of an ``n``-row draw equal an ``m``-row draw from the same generator state.

    Returns
    -------
    X : ndarray (n, D)
    """
    n = check_scalar(n, "n", low=1, low_inclusive=True, integer=True)
    D = check_scalar(D, "D", low=1, low_inclusive=True, integer=True)
    X = rng.standard_normal((n, D))
    X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
    return X


def aux_data(seed, teacher, n_aux=1024):
    """Auxiliary training set ``(X (n_aux, D), y (n_aux,))`` of ``seed``."""
    X = sample_inputs(stream(seed, RELU_AUX), n_aux, teacher.D)
    return X, teacher.aux(X)


def main_data(seed, *, teacher, n):
    """Main training set ``(X (n, D), y (n,))`` of ``seed``: prefix-nested in ``n``.

    ``teacher`` and ``n`` are keyword-only, so that the seed and the teacher cannot be swapped.
    """
    X = sample_inputs(stream(seed, RELU_MAIN), n, teacher.D)
    return X, teacher.main(X)


def held_out_inputs(seed, D=15, n_test=10000):
    """Held-out (test) inputs ``(n_test, D)`` of ``seed``; targets are ``teacher.main(X)``."""
    return sample_inputs(stream(seed, RELU_TEST), n_test, D)
