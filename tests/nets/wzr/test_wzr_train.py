"""Gradient training of the shared-module model (WZR) against closed forms (Prop. 1, Prop. 3)."""
import numpy as np
import pytest

from featreuse import nets
from featreuse.nets.wzr.train import train_shared_module


def _prop3_optimum(X, ys, r):
    """WZR Prop. 3, written out here: B spans V S^{-1} Q_r; the minimum of the objective."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    P = U.T @ np.stack(ys, axis=1)
    evals, evecs = np.linalg.eigh(P @ P.T)
    B = Vt.T @ (evecs[:, ::-1][:, :r] / s[:, None])
    return B, sum(y @ y for y in ys) - evals[::-1][:r].sum()


def _shared(seed, k=4, D=6, n=40, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D)) * rng.uniform(0.5, 2.0, D)
    return X, [X @ rng.standard_normal(D) + noise * rng.standard_normal(n) for _ in range(k)]


@pytest.mark.parametrize("r", [1, 2])
def test_linear_training_reaches_prop3_optimum(r):
    X, ys = _shared(0)
    B, best = _prop3_optimum(X, ys, r)
    fit = train_shared_module([X] * len(ys), ys, r, starts=2, seed=r)
    assert fit.objective == pytest.approx(best, rel=1e-9)
    assert fit.converged and fit.activation == "linear"
    # the trained module spans the closed-form span: same projection
    Pt, Pc = (M @ np.linalg.pinv(M) for M in (fit.B, B))
    assert np.allclose(Pt, Pc, atol=1e-5)


def test_prop1_linear_and_relu_every_task_fitted_at_capacity_k():
    rng = np.random.default_rng(1)
    D, k = 5, 3
    Xs = [rng.standard_normal((30, D)) for _ in range(k)]
    thetas = rng.standard_normal((k, D))
    ys = [X @ t for X, t in zip(Xs, thetas)]
    fit = train_shared_module(Xs, ys, k, starts=2)
    own = np.stack([np.linalg.lstsq(X, y, rcond=None)[0] for X, y in zip(Xs, ys)])
    assert np.allclose(fit.heads @ fit.B.T, own, atol=1e-5)
    # ReLU labels y_i = relu(X_i theta_i): k ReLU units fit every task exactly
    ys = [np.maximum(X @ t, 0.0) for X, t in zip(Xs, thetas)]
    fit = train_shared_module(Xs, ys, k, activation="relu", starts=4, seed=2)
    assert fit.activation == "relu"
    assert fit.objective <= 1e-8 * sum(y @ y for y in ys)


def test_task_weights_favour_the_heavy_task():
    X, ys = _shared(3, k=3)
    even = train_shared_module([X] * 3, ys, 1, starts=2)
    heavy = train_shared_module([X] * 3, ys, 1, weights=[10.0, 1.0, 1.0], starts=2)
    assert heavy.task_losses[0] < even.task_losses[0]
    assert np.allclose(heavy.weights, [10.0, 1.0, 1.0])
    # weighting task 0 by 2 is the same objective as listing it twice
    twice = train_shared_module([X] * 4, [ys[0]] + ys, 1, starts=2)
    double = train_shared_module([X] * 3, ys, 1, weights=[2.0, 1.0, 1.0], starts=2)
    assert double.objective == pytest.approx(twice.objective, rel=1e-9)


def test_bad_input_names_the_task_or_argument():
    X, ys = _shared(4, k=3)
    with pytest.raises(nets.InputError, match=r"Xs\[2\] has 5 columns but Xs\[0\] has 6"):
        train_shared_module([X, X, X[:, :5]], ys, 1)
    with pytest.raises(nets.InputError, match="r must be >= 1"):
        train_shared_module([X] * 3, ys, 0)
    with pytest.raises(nets.InputError, match="activation must be one of"):
        train_shared_module([X] * 3, ys, 1, activation="tanh")
    with pytest.raises(nets.InputError, match="weights has 2 entries"):
        train_shared_module([X] * 3, ys, 1, weights=[1.0, 1.0])
    with pytest.raises(nets.InputError, match="device"):
        train_shared_module([X] * 3, ys, 1, device="tpu")
    with pytest.raises(nets.InputError, match=r"ys\[1\] has 39 entries but Xs\[1\] has 40 rows"):
        train_shared_module([X] * 3, [ys[0], ys[1][1:], ys[2]], 1)
