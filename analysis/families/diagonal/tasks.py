"""LL's diagonal teacher-student tasks (Lippl & Lindsey 2024, section 3).

An auxiliary teacher has ``k_aux`` active coordinates (default 40) with values
``+-1/sqrt(k_aux)``; the main teacher has ``k`` active coordinates with values
``+-1/sqrt(k)``, ``overlap`` of which lie on the auxiliary support and keep the
auxiliary sign. ``overlap = k`` nests the main support inside the auxiliary
one; ``overlap = 0`` makes them disjoint. Inputs are ``x ~ N(0, I_D)`` rescaled
per sample to ``||x||^2 = D``; targets are noiseless, ``y = X beta*``.

Everything is a deterministic function of an integer seed, with independent
random streams for the teacher, the auxiliary training set, the main training
set and the test set (``numpy.random.SeedSequence(seed, spawn_key=(stream,))``).
Consequences:

* The auxiliary teacher and data depend on the seed only, so pretraining can be
  shared by every run of that seed.
* The main training inputs do not depend on the teacher, and the first ``n``
  rows of the ``n' > n`` set are the ``n`` set (prefix property): a sweep over
  ``n`` adds samples to one growing data set.
* The teacher draw does not depend on ``k`` or ``overlap``: supports for
  different ``k``/``overlap`` are prefixes of the same random orderings, so the
  5-feature nested main task is a subset of the 10-feature one, and so on.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
# Random streams of one seed: this family's numbers (nets.seeding's DIAGONAL_* table) and the
# one stream(seed, which).
from featreuse.nets.seeding import DIAGONAL_AUX as AUX_STREAM
from featreuse.nets.seeding import DIAGONAL_MAIN as MAIN_STREAM
from featreuse.nets.seeding import DIAGONAL_TEACHER as TEACHER_STREAM
from featreuse.nets.seeding import DIAGONAL_TEST as TEST_STREAM
from featreuse.nets.seeding import stream
from featreuse.validation import as_float_array, check_scalar


@dataclass(frozen=True)
class Teacher:
    """A pair of sparse linear teachers.

    Attributes
    ----------
    beta_aux : ndarray (D,)
        Auxiliary teacher, ``k_aux`` entries ``+-1/sqrt(k_aux)``.
    beta_main : ndarray (D,)
        Main teacher, ``k`` entries ``+-1/sqrt(k)``.
    aux_support : ndarray (k_aux,) of int
    main_support : ndarray (k,) of int
        The first ``overlap`` entries are on the auxiliary support.
    overlap : int
    """

    beta_aux: np.ndarray
    beta_main: np.ndarray
    aux_support: np.ndarray
    main_support: np.ndarray
    overlap: int


def check_sizes(D, k_aux, k, overlap):
    check_scalar(D, "D", low=1, low_inclusive=True, integer=True)
    check_scalar(k_aux, "k_aux", low=1, high=D, low_inclusive=True, integer=True)
    check_scalar(k, "k", low=1, high=D, low_inclusive=True, integer=True)
    check_scalar(overlap, "overlap", low=0, low_inclusive=True, integer=True)
    if overlap > min(k, k_aux):
        raise InputError(f"overlap must be <= min(k, k_aux) = {min(k, k_aux)}, got {overlap}")
    if k - overlap > D - k_aux:
        raise InputError(
            f"the main teacher needs k - overlap = {k - overlap} coordinates off the "
            f"auxiliary support but only D - k_aux = {D - k_aux} exist")


def make_teacher(seed, D=1000, k_aux=40, k=40, overlap=40):
    """Draw LL's auxiliary and main teachers for ``seed``.

    Parameters
    ----------
    seed : int >= 0
    D : int
        Input dimension.
    k_aux : int
        Active coordinates of the auxiliary teacher.
    k : int
        Active coordinates of the main teacher.
    overlap : int
        How many main coordinates lie on the auxiliary support (they keep the
        auxiliary sign); ``overlap = k`` nests, ``overlap = 0`` separates.

    Returns
    -------
    Teacher
    """
    check_sizes(D, k_aux, k, overlap)
    rng = stream(seed, TEACHER_STREAM)
    # Fixed draw order, independent of k and overlap (see module docstring).
    order = rng.permutation(D)
    aux_signs = rng.choice(np.array([-1.0, 1.0]), size=D)
    new_signs = rng.choice(np.array([-1.0, 1.0]), size=D)
    aux_support, outside = order[:k_aux], order[k_aux:]
    beta_aux = np.zeros(D)
    beta_aux[aux_support] = aux_signs[aux_support] / np.sqrt(k_aux)
    shared, new = aux_support[:overlap], outside[:k - overlap]
    beta_main = np.zeros(D)
    beta_main[shared] = aux_signs[shared] / np.sqrt(k)
    beta_main[new] = new_signs[new] / np.sqrt(k)
    return Teacher(beta_aux, beta_main, aux_support.copy(),
                   np.concatenate([shared, new]), int(overlap))


def sample_inputs(rng, n, D):
    """Draw ``n`` inputs ``x ~ N(0, I_D)`` rescaled to ``||x||^2 = D``.

    Rows are drawn one after the other from ``rng``, so the first ``m`` rows of
    an ``n``-row draw equal an ``m``-row draw from the same generator state.

    Returns
    -------
    X : ndarray (n, D)
    """
    check_scalar(n, "n", low=1, low_inclusive=True, integer=True)
    check_scalar(D, "D", low=1, low_inclusive=True, integer=True)
    X = rng.standard_normal((n, D))
    X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
    return X


def aux_data(seed, teacher, n_aux=1024):
    """Auxiliary training set ``(X (n_aux, D), y (n_aux,))`` of ``seed``."""
    check_scalar(n_aux, "n_aux", low=1, low_inclusive=True, integer=True)
    X = sample_inputs(stream(seed, AUX_STREAM), n_aux, teacher.beta_aux.size)
    return X, X @ teacher.beta_aux


def main_data(seed, teacher, n):
    """Main training set ``(X (n, D), y (n,))`` of ``seed``: prefix-nested in ``n``."""
    X = sample_inputs(stream(seed, MAIN_STREAM), n, teacher.beta_main.size)
    return X, X @ teacher.beta_main


def held_out_inputs(seed, D=1000, n_test=10000):
    """Held-out (test) inputs ``(n_test, D)`` of ``seed`` (shared by every run of the seed)."""
    return sample_inputs(stream(seed, TEST_STREAM), n_test, D)


def test_mse(beta, beta_star, X_test):
    """Test mean squared error ``mean((X_test (beta - beta*))^2)`` of noiseless targets.

    Parameters
    ----------
    beta, beta_star : ndarray (D,)
    X_test : ndarray (n_test, D)
    """
    beta = as_float_array(beta, "beta", ndim=1)
    beta_star = as_float_array(beta_star, "beta_star", ndim=1)
    if beta.shape != beta_star.shape or X_test.shape[1] != beta.size:
        raise InputError(
            f"beta {beta.shape}, beta_star {beta_star.shape} and X_test {X_test.shape} "
            "must share D")
    r = X_test @ (beta - beta_star)
    return float(np.mean(r * r))
