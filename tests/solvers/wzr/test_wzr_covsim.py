"""WZR's covariance similarity score: invariances and values on constructed covariances."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from featreuse.errors import InputError
from featreuse.solvers.wzr.covsim import (covariance_factor, covariance_similarity,
                                          covariance_similarity_matrix)


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def _random(seed, n=200, D=12):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, D)) * rng.uniform(0.2, 3.0, D)


def _orthogonal(seed, m):
    return np.linalg.qr(np.random.default_rng(seed).standard_normal((m, m)))[0]


def test_rotating_the_samples_changes_nothing():
    X1, X2 = _random(0), _random(1, n=150)
    base = covariance_similarity(X1, X2)
    rotated = covariance_similarity(_orthogonal(2, 200) @ X1, _orthogonal(3, 150) @ X2)
    assert rotated == pytest.approx(base, rel=1e-12)
    # a common rotation of the features and a rescaling of one task do not either
    P = _orthogonal(4, 12)
    assert covariance_similarity(X1 @ P, 5.0 * X2 @ P) == pytest.approx(base, rel=1e-12)


def test_identical_inputs():
    x = np.random.default_rng(5).standard_normal((50, 1))
    v = np.random.default_rng(6).standard_normal((1, 9))
    assert covariance_similarity(x @ v, 3 * x @ v) == pytest.approx(1.0, rel=1e-12)  # rank one
    # isotropic in d dimensions: ||F^T F||_F / ||F||_F^2 = sqrt(d) / d
    Q = np.linalg.qr(np.random.default_rng(7).standard_normal((100, 20)))[0]
    assert covariance_similarity(Q, Q, coverage=1.0) == pytest.approx(1 / np.sqrt(20), rel=1e-12)
    # a Gaussian sample of isotropic data: about 0.22 (WZR)
    X = np.random.default_rng(8).standard_normal((4000, 20))
    assert covariance_similarity(X, X) == pytest.approx(1 / np.sqrt(20), abs=0.01)


def test_orthogonal_supports_score_zero():
    rng = np.random.default_rng(9)
    X1 = np.zeros((40, 10))
    X2 = np.zeros((30, 10))
    X1[:, :4] = rng.standard_normal((40, 4))
    X2[:, 4:] = rng.standard_normal((30, 6))
    P = _orthogonal(10, 10)
    assert covariance_similarity(X1 @ P, X2 @ P) == pytest.approx(0.0, abs=1e-14)


def test_full_coverage_is_the_trace_formula():
    X1, X2 = _random(11), _random(12)
    S1, S2 = X1.T @ X1, X2.T @ X2
    expected = np.sqrt(np.trace(S1 @ S2) / (np.trace(S1) * np.trace(S2)))
    assert covariance_similarity(X1, X2, coverage=1.0) == pytest.approx(expected, rel=1e-12)
    S = covariance_similarity_matrix([X1, X2, _random(13)])
    assert np.allclose(S, S.T) and np.all((S >= 0) & (S <= 1 + 1e-12))


def test_coverage_rule_keeps_the_top_eigenpairs_covering_the_trace():
    # eigenvalues of X^T X: 100, 1, ..., 1 (nine ones), trace 109: the first covers
    # 100/109 > 0.9, the first nine 108/109 > 0.99, all ten are needed above that
    X = np.diag([10.0] + [1.0] * 9)
    assert covariance_factor(X, coverage=0.9).shape == (10, 1)
    assert covariance_factor(X, coverage=0.92).shape == (10, 2)
    assert covariance_factor(X, coverage=0.99).shape == (10, 9)
    assert covariance_factor(X, coverage=0.995).shape == (10, 10)
    assert covariance_factor(X, coverage=1.0).shape == (10, 10)
    F = covariance_factor(X, coverage=0.9)
    assert np.allclose(np.abs(F[:, 0]), [10.0] + [0.0] * 9)      # sqrt(eigenvalue) times U


def test_bad_input_is_named():
    X1 = _random(14)
    with pytest.raises(InputError, match="X2 has 13 columns, X1 has 12"):
        covariance_similarity(X1, _random(15, D=13))
    with pytest.raises(InputError, match=r"Xs\[2\] has 13 columns, Xs\[0\] has 12"):
        covariance_similarity_matrix([X1, X1, _random(15, D=13)])
    with pytest.raises(InputError, match="X2 is zero"):
        covariance_similarity(X1, np.zeros_like(X1))
    for bad in (0.0, 1.5):
        with pytest.raises(InputError, match="coverage"):
            covariance_similarity(X1, X1, coverage=bad)
