"""WZR Algorithm 2: SVD task weights for tasks sharing X."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from featreuse.errors import InputError
from featreuse.solvers.wzr.reweighting import svd_task_weights


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def _tasks(seed, n=800, D=10, k=4, rank=2, noise=0.3, corrupt=0.2):
    """k tasks sharing X, unit parameters in a rank-2 subspace; the last has random labels."""
    rng = np.random.default_rng(seed)
    W = np.linalg.qr(rng.standard_normal((D, rank)))[0]
    thetas = W @ rng.standard_normal((rank, k))
    thetas /= np.linalg.norm(thetas, axis=0)
    X = rng.standard_normal((n, D))
    Y = X @ thetas + noise * rng.standard_normal((n, k))
    rows = rng.choice(n, int(corrupt * n), replace=False)
    Y[rows, -1] = np.sqrt(1 + noise ** 2) * rng.standard_normal(rows.size)
    return X, list(Y.T)


@pytest.mark.parametrize("seed", range(5))
def test_the_task_with_random_labels_gets_the_smallest_weight(seed):
    X, ys = _tasks(seed)
    w = svd_task_weights(X, ys, r=2)
    assert np.argmin(w) == len(ys) - 1
    assert w.mean() == pytest.approx(1.0, rel=1e-12)


def test_weights_are_the_projected_norms_when_x_is_orthogonal():
    # X^T X = n I and noise-free labels in a rank-2 subspace: theta_i = n theta_true_i lies in
    # the subspace, so alpha_i is proportional to ||theta_true_i||
    rng = np.random.default_rng(20)
    X = np.linalg.qr(rng.standard_normal((50, 6)))[0] * np.sqrt(50)
    W = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    thetas = W @ rng.standard_normal((2, 3))
    norms = np.linalg.norm(thetas, axis=0)
    w = svd_task_weights(X, list((X @ thetas).T), r=2)
    assert np.allclose(w, norms / norms.mean(), rtol=1e-12)


def test_invariances():
    X, ys = _tasks(21, n=200)
    w = svd_task_weights(X, ys, 2)
    assert np.allclose(svd_task_weights(X, [3.0 * y for y in ys], 2), w, rtol=1e-12)
    O = np.linalg.qr(np.random.default_rng(22).standard_normal((200, 200)))[0]
    assert np.allclose(svd_task_weights(O @ X, [O @ y for y in ys], 2), w, rtol=1e-10)


def test_bad_input_is_named():
    X, ys = _tasks(23, n=100)
    with pytest.raises(InputError, match="r must be <= the number of tasks"):
        svd_task_weights(X, ys, 5)
    with pytest.raises(InputError, match="r must be >= 1"):
        svd_task_weights(X, ys, 0)
    with pytest.raises(InputError, match=r"ys\[2\] has 99 entries but X has 100 rows"):
        svd_task_weights(X, [ys[0], ys[1], ys[2][1:]], 1)
    with pytest.raises(InputError, match="no signal"):
        svd_task_weights(X, [np.zeros(100)] * 2, 1)
