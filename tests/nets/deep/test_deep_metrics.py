"""PR, overlap and ENSD of activations with known spectra (nets.deep.metrics)."""
import numpy as np
import pytest

from featreuse.nets.deep.metrics import participation_ratio, second_moment, similarity
from featreuse.errors import InputError, InputTypeError


def orthonormal(rng, rows, cols):
    """A (rows, cols) matrix with orthonormal columns."""
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q


def with_spectrum(rng, n, d, sigma):
    """X = U diag(sigma) V^T: (n, d) activations whose singular values are ``sigma``."""
    k = len(sigma)
    return orthonormal(rng, n, k) @ np.diag(sigma) @ orthonormal(rng, d, k).T


@pytest.mark.parametrize("n, d", [(40, 12), (12, 40)])   # feature space, sample space
def test_participation_ratio_is_the_closed_form_of_the_spectrum(n, d):
    rng = np.random.default_rng(0)
    sigma = np.array([3.0, 2.0, 1.0, 0.5, 0.25])
    X = with_spectrum(rng, n, d, sigma)
    lam = sigma ** 2                                 # eigenvalues of X^T X
    assert participation_ratio(X) == pytest.approx(lam.sum() ** 2 / (lam ** 2).sum(), rel=1e-12)
    C = second_moment(X)
    assert np.trace(C) == pytest.approx(1.0, rel=1e-12)
    assert np.sort(np.linalg.eigvalsh(C))[-5:] == pytest.approx(np.sort(lam / lam.sum()), abs=1e-12)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_k_equal_eigenvalues_give_pr_k(k):
    rng = np.random.default_rng(k)
    X = with_spectrum(rng, 30, 20, np.full(k, 2.5))
    assert participation_ratio(X) == pytest.approx(k, rel=1e-12)


@pytest.mark.parametrize("n", [50, 8])                 # feature space (d = 20), sample space
@pytest.mark.parametrize("k, m", [(4, 4), (4, 2), (5, 0), (6, 1)])
def test_ensd_counts_the_shared_directions(n, k, m):
    """Two k-dimensional isotropic representations sharing m feature directions: ENSD = m."""
    rng = np.random.default_rng(10 * k + m)
    d = 20
    basis = orthonormal(rng, d, d)
    Qa, Qb = basis[:, :k], basis[:, k - m:2 * k - m]   # spans meet in m directions
    Za, Zb = orthonormal(rng, n, k), orthonormal(rng, n, k)
    A, B = 1.7 * Za @ Qa.T, 0.3 * Zb @ Qb.T
    sim = similarity(A, B)
    assert sim.pr_pre == pytest.approx(k, rel=1e-12)
    assert sim.pr_post == pytest.approx(k, rel=1e-12)
    assert sim.overlap == pytest.approx(m / k ** 2, abs=1e-12)
    assert sim.ensd == pytest.approx(m, abs=1e-10)


def test_sample_and_feature_space_traces_agree_with_the_definition():
    rng = np.random.default_rng(3)
    for n, d in [(6, 25), (25, 6)]:
        A = rng.standard_normal((n, d)) @ np.diag(np.linspace(2, 0.1, d))
        B = A + 0.5 * rng.standard_normal((n, d))
        Ca, Cb = second_moment(A), second_moment(B)
        sim = similarity(A, B)
        assert sim.pr_pre == pytest.approx(1 / np.trace(Ca @ Ca), rel=1e-10)
        assert sim.pr_post == pytest.approx(1 / np.trace(Cb @ Cb), rel=1e-10)
        assert sim.overlap == pytest.approx(np.trace(Ca @ Cb), rel=1e-10)
        assert sim.ensd == pytest.approx(sim.pr_pre * sim.pr_post * sim.overlap, rel=1e-12)


def test_a_representation_with_itself_has_ensd_equal_to_its_pr():
    X = np.random.default_rng(4).standard_normal((30, 9))
    sim = similarity(X, X)
    assert sim.ensd == pytest.approx(sim.pr_pre, rel=1e-12)
    assert sim.overlap == pytest.approx(1 / sim.pr_pre, rel=1e-12)


def test_centring_removes_the_mean_and_leaves_the_spectrum_of_the_rest():
    rng = np.random.default_rng(5)
    n, d, k = 40, 15, 4
    Y = with_spectrum(rng, n, d, np.ones(k))
    Y -= Y.mean(0)                                     # centred, k - 1 or k equal directions
    lam = np.linalg.eigvalsh(Y.T @ Y)
    expected = lam.sum() ** 2 / (lam ** 2).sum()
    X = Y + 50.0 * rng.standard_normal(d)              # a large common mean
    assert participation_ratio(X, center=True) == pytest.approx(expected, rel=1e-9)
    assert participation_ratio(X) < 1.01               # uncentred: the mean dominates


def test_bad_activations_raise_typed_errors():
    with pytest.raises(InputError, match="X is zero"):
        participation_ratio(np.zeros((4, 3)))
    with pytest.raises(InputError, match="after centring"):
        participation_ratio(np.ones((4, 3)), center=True)
    with pytest.raises(InputError, match="matrix"):
        participation_ratio(np.ones(5))
    with pytest.raises(InputError, match="same shape"):
        similarity(np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(InputError, match="NaN"):
        participation_ratio(np.array([[1.0, np.nan]]))
    with pytest.raises(InputTypeError):
        participation_ratio("not an array")
