"""LL's PT+FT initialisation: exact rescaling of W, readout re-drawn at sigma from its seed."""
import numpy as np
import pytest

from featreuse import nets


@pytest.mark.parametrize("s", [0.01, 0.1, 1.0, 10.0, 100.0])
def test_hidden_weights_are_rescaled_exactly(s):
    W_pre = np.random.default_rng(1).standard_normal((40, 7))
    W, _ = nets.ptft_init(W_pre, s, seed=3, sigma=1e-3)
    assert np.array_equal(W, s * W_pre)


def test_readout_is_a_fresh_draw_at_sigma_from_its_seed():
    K = 20000
    W_pre = np.ones((K, 2))
    _, a = nets.ptft_init(W_pre, 0.1, seed=3, sigma=1e-3)
    assert a.shape == (1, K)
    np.testing.assert_allclose(a.std(), 1e-3 * np.sqrt(2 / K), rtol=0.03)   # ~6 std. errors
    assert abs(a.mean()) < 5 * 1e-3 * np.sqrt(2 / K) / np.sqrt(K)
    # Depends on the seed only (not on W_pre or s), and not the student's init draw.
    _, same = nets.ptft_init(2 * W_pre, 10.0, seed=3, sigma=1e-3)
    _, other = nets.ptft_init(W_pre, 0.1, seed=4, sigma=1e-3)
    np.testing.assert_array_equal(a, same)
    assert not np.allclose(a, other)
    config = nets.ReluConfig(D=2, K=K, sigma=1e-3)
    assert not np.allclose(a, nets.init_params([3], config)[1][0])


def test_ptft_run_starts_from_the_finetuning_init():
    config = nets.ReluConfig(D=4, K=10)
    W_pre = np.random.default_rng(0).standard_normal((10, 4))
    X, y = np.ones((3, 4)), np.zeros(3)
    run = nets.ptft_run(W_pre, X, y, 0.1, seed=5, config=config, train="readout")
    W, a = nets.ptft_init(W_pre, 0.1, 5, sigma=config.sigma)
    assert np.array_equal(run.W0, W) and np.array_equal(run.a0, a)
    assert run.train == "readout" and run.lr == config.lr and not run.full_batch
