"""Ridge baselines at the finetuning start: SVD ridge, the NTK features and its GD limit."""
import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge

from featreuse import nets
from featreuse.nets.seeding import RELU_SPLIT, stream


def _net(K=20, D=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((K, D)) / np.sqrt(D), rng.standard_normal(K) / np.sqrt(K)


def _autograd_jacobian(W0, a0, X):
    """(f(theta0; X), J) with J (n, K + K D) from torch autograd, theta = (a, W row-major)."""
    K, D = W0.shape
    Xt = torch.tensor(X)

    def f(theta):
        return torch.relu(Xt @ theta[K:].view(K, D).T) @ theta[:K]

    theta0 = torch.tensor(np.concatenate([a0, W0.ravel()]))
    return f(theta0).numpy(), torch.autograd.functional.jacobian(f, theta0).numpy()


@pytest.mark.parametrize("shape", [(12, 40), (60, 8)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_path_equals_sklearn(shape, fit_intercept):
    rng = np.random.default_rng(1)
    F, y = rng.standard_normal(shape), rng.standard_normal(shape[0]) + 3.0
    alphas = np.array([1e-3, 0.1, 10.0, 1e4])
    coef, intercept = nets.ridge_path(F, y, alphas, fit_intercept=fit_intercept)
    for k, alpha in enumerate(alphas):
        ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(F, y)
        np.testing.assert_allclose(coef[k], ref.coef_, rtol=1e-8, atol=1e-12)
        assert intercept[k] == pytest.approx(ref.intercept_, rel=1e-10, abs=1e-12)


def test_ntk_features_are_the_parameter_gradients():
    W0, a0 = _net()
    X = np.random.default_rng(2).standard_normal((9, 5))
    f0, J = _autograd_jacobian(W0, a0, X)
    np.testing.assert_allclose(nets.ntk_features(W0, a0, X), J, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(nets.hidden_features(W0, X), J[:, :20], rtol=1e-12, atol=1e-14)


def test_ntk_baseline_is_gradient_descent_on_the_linearised_network():
    W0, a0 = _net(seed=3)
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((10, 5)), rng.standard_normal(10)
    X_test = rng.standard_normal((7, 5))
    f0, J = _autograd_jacobian(W0, a0, X)
    # GD on (1/2)||f0 + J delta - y||^2 from delta = 0, step 1/lambda_max(J^T J).
    step = 1.0 / np.linalg.eigvalsh(J @ J.T).max()
    delta = np.zeros(J.shape[1])
    for _ in range(50_000):
        residual = f0 + J @ delta - y
        if np.linalg.norm(residual) < 1e-13:
            break
        delta -= step * (J.T @ residual)
    assert np.linalg.norm(residual) < 1e-12
    fit = nets.fit_ntk(W0, a0, X, y, alphas=[1e-12], fit_intercept=False)
    np.testing.assert_allclose(fit.coef, delta, rtol=0, atol=1e-9 * np.abs(delta).max())
    assert fit.intercept == 0.0
    f0_test, J_test = _autograd_jacobian(W0, a0, X_test)
    np.testing.assert_allclose(fit.predict(X_test), f0_test + J_test @ delta, rtol=1e-8,
                               atol=1e-10)
    np.testing.assert_allclose(fit.predict(X), y, atol=1e-9)


def test_strength_is_chosen_on_the_validation_split_then_refitted_on_all():
    W0, a0 = _net(K=15, D=4, seed=5)
    rng = np.random.default_rng(6)
    X = rng.standard_normal((30, 4))
    y = np.maximum(X @ rng.standard_normal(4), 0) + 0.1 * rng.standard_normal(30)
    alphas = np.logspace(-3, 3, 7)
    for kind, fit_fn, feats in (("lp", nets.fit_lp, nets.hidden_features(W0, X)),
                                ("ntk", nets.fit_ntk, nets.ntk_features(W0, a0, X))):
        fit = fit_fn(W0, a0, X, y, alphas=alphas, val_fraction=0.3, seed=2)
        target = y - np.maximum(X @ W0.T, 0) @ a0
        order = stream(2, RELU_SPLIT).permutation(30)
        val, train = order[:9], order[9:]
        for k, alpha in enumerate(alphas):
            ref = Ridge(alpha=alpha, solver="svd").fit(feats[train], target[train])
            mse = np.mean((ref.predict(feats[val]) - target[val]) ** 2)
            assert fit.val_mse[k] == pytest.approx(mse, rel=1e-8), (kind, alpha)
        assert fit.alpha == alphas[np.argmin(fit.val_mse)]
        ref = Ridge(alpha=fit.alpha, solver="svd").fit(feats, target)
        np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-8, atol=1e-12)
        assert fit.predict(X) == pytest.approx(
            np.maximum(X @ W0.T, 0) @ a0 + ref.predict(feats), rel=1e-8, abs=1e-10)


def test_default_grid_and_bad_arguments():
    W0, a0 = _net(K=6, D=3)
    X, y = np.random.default_rng(0).standard_normal((10, 3)), np.ones(10)
    fit = nets.fit_lp(W0, a0, X, y)
    np.testing.assert_array_equal(fit.alphas, np.logspace(-5, 10, 100))
    assert np.isfinite(fit.val_mse).all()
    with pytest.raises(nets.InputError, match="val_fraction"):
        nets.fit_lp(W0, a0, X, y, val_fraction=0.01)
    with pytest.raises(nets.InputError, match="alphas"):
        nets.fit_ntk(W0, a0, X, y, alphas=[0.0, 1.0])
    with pytest.raises(nets.InputError, match="a0"):
        nets.fit_ntk(W0, np.ones(5), X, y)
    with pytest.raises(nets.InputError, match="X has"):
        nets.fit_lp(W0, a0, X[:, :2], y)
    with pytest.raises(nets.InputError, match="y must have shape"):
        nets.fit_lp(W0, a0, X, y[:4])
