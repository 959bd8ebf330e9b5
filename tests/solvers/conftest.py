import numpy as np
import pytest


def make_problem(n, D, k=5, seed=0, scale_rows=True):
    """Sparse teacher, rows rescaled to ||x||^2 = D (LL's inputs)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    if scale_rows:
        X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
    beta = np.zeros(D)
    idx = rng.choice(D, k, replace=False)
    beta[idx] = rng.choice([-1.0, 1.0], k) / np.sqrt(k)
    return X, X @ beta, beta


@pytest.fixture
def problem():
    return make_problem(20, 60, k=4, seed=1)
