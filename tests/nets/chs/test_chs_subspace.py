"""Subspace measures on constructed first layers, and their invariances."""
import numpy as np
import pytest
from scipy.stats import beta

from featreuse.nets.chs.subspace import (largest_principal_angle, subspace_coverage, subspace_energy,
                               subspace_summary)
from featreuse.nets.chs.tasks import random_subspace
from featreuse.errors import InputError

D, R, M_UNITS = 30, 3, 12


@pytest.fixture
def M():
    return random_subspace(0, D, R)


def test_w_inside_the_subspace_has_energy_one_and_angle_zero(M):
    C = np.random.default_rng(1).standard_normal((M_UNITS, R))
    W = C @ M.T                                     # rows in col(M)
    assert subspace_energy(W, M) == pytest.approx(1.0, abs=1e-12)
    assert largest_principal_angle(W, M) == pytest.approx(0.0, abs=1e-6)
    # coverage is the condition number of the coefficients
    s = np.linalg.svd(C, compute_uv=False)
    assert subspace_coverage(W, M) == pytest.approx(s[-1] / s[0], rel=1e-10)


def test_isotropic_rows_in_the_subspace_have_coverage_one(M):
    W = np.vstack([M.T, -2 * M.T])                  # W M = [I; -2 I]
    assert subspace_coverage(W, M) == pytest.approx(1.0, rel=1e-12)


def test_rank_one_collapse_has_coverage_zero_whatever_its_energy(M):
    rng = np.random.default_rng(2)
    u = M @ np.array([0.6, 0.0, 0.8])
    W = np.outer(rng.standard_normal(M_UNITS), u)   # every unit on one direction of col(M)
    assert subspace_energy(W, M) == pytest.approx(1.0, abs=1e-12)
    assert subspace_coverage(W, M) == pytest.approx(0.0, abs=1e-12)
    # with a little energy outside col(M), the other top-r directions lie outside it
    P = np.eye(D) - M @ M.T
    W_noisy = W + 1e-3 * rng.standard_normal((M_UNITS, D)) @ P
    assert subspace_energy(W_noisy, M) > 0.999
    assert subspace_coverage(W_noisy, M) == pytest.approx(0.0, abs=1e-12)
    assert largest_principal_angle(W_noisy, M) == pytest.approx(np.pi / 2, abs=1e-6)


def test_orthogonal_w_has_energy_zero_and_right_angle(M):
    P = np.eye(D) - M @ M.T
    W = np.random.default_rng(3).standard_normal((M_UNITS, D)) @ P
    assert subspace_energy(W, M) == pytest.approx(0.0, abs=1e-12)
    assert largest_principal_angle(W, M) == pytest.approx(np.pi / 2, abs=1e-6)


def test_random_gaussian_w_has_energy_r_over_d_within_its_beta_law(M):
    # rows N(0, I_d): ||W M||^2 ~ chi2(m r) and ||W (I - M M^T)||^2 ~ chi2(m (d - r)),
    # independent, so the energy is exactly Beta(m r / 2, m (d - r) / 2) (mean r / d)
    m = 400
    W = np.random.default_rng(4).standard_normal((m, D))
    law = beta(m * R / 2, m * (D - R) / 2)
    assert law.mean() == pytest.approx(R / D)
    assert law.ppf(1e-6) < subspace_energy(W, M) < law.ppf(1 - 1e-6)


def test_measures_are_invariant_under_rotations_of_input_space(M):
    rng = np.random.default_rng(5)
    W = rng.standard_normal((M_UNITS, D))
    Q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    a, b = subspace_summary(W, M), subspace_summary(W @ Q, Q.T @ M)
    assert b.energy == pytest.approx(a.energy, rel=1e-10)
    assert b.coverage == pytest.approx(a.coverage, rel=1e-10)
    assert b.angle == pytest.approx(a.angle, rel=1e-8)
    # and under any change of basis of col(M)
    G, _ = np.linalg.qr(rng.standard_normal((R, R)))
    assert subspace_summary(W, M @ G).coverage == pytest.approx(a.coverage, rel=1e-10)


def test_largest_angle_agrees_with_the_smallest_cosine_of_the_projected_basis(M):
    W = np.random.default_rng(6).standard_normal((M_UNITS, D))
    W += 3 * np.ones((M_UNITS, 1)) @ M[:, :1].T         # leaning towards col(M)
    _, _, Vt = np.linalg.svd(W)
    cosines = np.linalg.svd(Vt[:R] @ M, compute_uv=False)
    assert largest_principal_angle(W, M) == pytest.approx(np.arccos(cosines.min()), rel=1e-8)


def test_bad_input_raises():
    M = random_subspace(0, 5, 2)
    with pytest.raises(InputError, match="W must not be zero"):
        subspace_energy(np.zeros((3, 5)), M)
    with pytest.raises(InputError, match="W has 4 columns but M has d = 5"):
        subspace_coverage(np.ones((3, 4)), M)
    with pytest.raises(InputError, match="M must have orthonormal columns"):
        largest_principal_angle(np.ones((3, 5)), 2 * M)
