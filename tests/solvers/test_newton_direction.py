"""The mixed-precision Newton direction against the float64 one."""
import numpy as np
import pytest
import scipy.linalg

from featreuse.solvers import newton_direction as nd


def _basis(D, r, seed):
    rng = np.random.default_rng(seed)
    return np.linalg.qr(rng.standard_normal((D, r)))[0], rng


def _exact(V, h, g):
    return -np.linalg.solve(V.T @ (h[:, None] * V), g)


@pytest.mark.parametrize("spread", [1.0, 1e3, 1e5])
def test_float32_factor_refined_to_float64_accuracy(spread):
    V, rng = _basis(400, 150, 0)
    h = spread ** -rng.random(400)  # weights in (1 / spread, 1]
    g = rng.standard_normal(150)
    d32 = nd.newton_direction(V, h, g, V.astype(np.float32))
    d64 = nd.newton_direction(V, h, g)
    ref = _exact(V, h, g)
    cond = np.linalg.cond(V.T @ (h[:, None] * V))
    # both within float64 rounding of the exact direction, scaled by the condition number
    for d in (d32, d64):
        assert np.linalg.norm(d - ref) <= 1e-13 * cond * np.linalg.norm(ref)
    H = V.T @ (h[:, None] * V)
    assert np.linalg.norm(g + H @ d32) <= nd.ACCEPT_TOL * np.linalg.norm(g)


def test_an_ill_conditioned_hessian_falls_back_to_float64(monkeypatch):
    V, rng = _basis(300, 120, 1)
    h = np.full(300, 1e-60)  # products underflow in float32: its Hessian has rank 20
    h[:20] = 1.0
    g = rng.standard_normal(120)
    calls = []
    real = scipy.linalg.cho_factor

    def spy(a, *args, **kwargs):
        calls.append(a.dtype)
        return real(a, *args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "cho_factor", spy)
    d = nd.newton_direction(V, h, g, V.astype(np.float32))
    assert np.float64 in calls  # the float32 direction was rejected
    assert np.array_equal(d, nd.newton_direction(V, h, g))


def test_zero_gradient_gives_zero_direction():
    V, _ = _basis(50, 20, 2)
    d = nd.newton_direction(V, np.ones(50), np.zeros(20), V.astype(np.float32))
    assert np.array_equal(d, np.zeros(20))


def test_weighted_gram_in_both_precisions():
    V, rng = _basis(60, 25, 3)
    h = rng.random(60)
    H = V.T @ (h[:, None] * V)
    assert np.allclose(nd.weighted_gram(V, h), H, rtol=0, atol=1e-14)
    low = nd.weighted_gram(V, h, full=False)
    assert np.allclose(low, np.tril(H), rtol=0, atol=1e-14)
    H32 = nd.weighted_gram(V.astype(np.float32), h)
    assert H32.dtype == np.float32 and np.allclose(H32, H, rtol=0, atol=1e-6)
