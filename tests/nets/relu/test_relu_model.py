"""Initialisation and forward pass of stacked ReLU networks."""
import numpy as np
import pytest
import torch

from featreuse import nets


def test_init_scales_match_LL():
    config = nets.ReluConfig(D=15, K=2000, sigma=1e-3)
    W, a = nets.init_params([0, 1], config)
    assert W.shape == (2, 2000, 15) and a.shape == (2, 1, 2000)
    # 30000 and 2000 draws: sample std within 3% and 8% (about 5 standard errors).
    np.testing.assert_allclose(W.std(axis=(1, 2)), 1e-3 * np.sqrt(2 / 15), rtol=0.03)
    np.testing.assert_allclose(a.std(axis=(1, 2)), 1e-3 * np.sqrt(2 / 2000), rtol=0.08)
    assert abs(np.corrcoef(W[0].ravel(), W[1].ravel())[0, 1]) < 0.03


def test_init_is_a_function_of_the_seed_and_mtl_extends_stl():
    config = nets.ReluConfig(D=5, K=20)
    W1, a1 = nets.init_params([7, 8], config, n_tasks=1)
    W2, a2 = nets.init_params([8], config, n_tasks=2)
    np.testing.assert_array_equal(W2[0], W1[1])
    np.testing.assert_array_equal(a2[0, 0], a1[1, 0])
    assert not np.allclose(W1[0], W1[1])


def test_stacked_forward_equals_the_module_and_numpy():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 8, 5))
    a = rng.standard_normal((3, 2, 8))
    X = rng.standard_normal((3, 6, 5))
    out = nets.forward(torch.tensor(W), torch.tensor(a), torch.tensor(X)).numpy()
    for m in range(3):
        expected = np.maximum(X[m] @ W[m].T, 0) @ a[m].T
        np.testing.assert_allclose(out[m], expected, rtol=1e-12)
        net = nets.ReluNet(torch.tensor(W[m]), torch.tensor(a[m]))
        np.testing.assert_allclose(net(torch.tensor(X[m])).detach().numpy(), expected, rtol=1e-12)
    shared = nets.forward(torch.tensor(W), torch.tensor(a), torch.tensor(X[0])).numpy()
    np.testing.assert_allclose(shared[2], np.maximum(X[0] @ W[2].T, 0) @ a[2].T, rtol=1e-12)


def test_forward_rejects_incompatible_shapes():
    W, a = torch.zeros(2, 4, 3), torch.zeros(2, 1, 4)
    with pytest.raises(nets.InputError, match="X must be"):
        nets.forward(W, a, torch.zeros(2, 5, 4))
    with pytest.raises(nets.InputError, match="W must be"):
        nets.forward(W, torch.zeros(2, 1, 5), torch.zeros(2, 5, 3))


def test_config_rejects_bad_values():
    with pytest.raises(nets.InputError, match="config.K"):
        nets.ReluConfig(K=0)
    with pytest.raises(nets.InputTypeError, match="config.batch_size"):
        nets.ReluConfig(batch_size=12.5)
