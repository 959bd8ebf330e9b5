"""LL's GD in numba: same iterates as the torch reference loop, batching, restarts."""
import numpy as np
import pytest

from featreuse import solvers
from featreuse.nets.diagonal.reference import reference_gd_multi, reference_gd_single
from featreuse.solvers import diagonal
from tests.solvers.conftest import make_problem


def test_single_gd_matches_torch_iterates():
    X, y, _ = make_problem(32, 80, k=4, seed=0)
    init = np.random.default_rng(0).uniform(0.01, 0.2, size=(4, 80))
    ref = reference_gd_single(X, y, init, lr=0.1, tol=0.0, max_steps=300, record_steps=[1, 50, 300])
    for k, params in ref["records"].items():
        with pytest.warns(solvers.ConvergenceWarning):
            ours = solvers.train_single(X, y, init=init, method="gd", lr=0.1, tol=0.0, max_steps=k)
        np.testing.assert_allclose(ours.params, params, rtol=1e-12, atol=1e-15)


def test_single_gd_stops_like_torch():
    X, y, _ = make_problem(16, 60, k=3, seed=1)
    ref = reference_gd_single(X, y, np.full((4, 60), 1e-2), lr=0.1, tol=1e-8)
    ours = solvers.train_single(X, y, init=1e-2, method="gd", lr=0.1, tol=1e-8)
    assert ours.converged and ref["converged"]
    assert ours.steps == ref["steps"]
    np.testing.assert_allclose(ours.params, ref["params"], rtol=1e-10, atol=1e-14)


def test_multi_gd_matches_torch_iterates():
    Xa, ya, _ = make_problem(30, 50, k=4, seed=2)
    Xm, ym, _ = make_problem(8, 50, k=4, seed=3)
    init = np.random.default_rng(1).uniform(0.05, 0.2, size=(3, 2, 50))
    ref = reference_gd_multi([Xa, Xm], [ya, ym], init, lr=0.1, tol=0.0, max_steps=200,
                             record_steps=[200])
    with pytest.warns(solvers.ConvergenceWarning):
        ours = solvers.train_multi([Xa, Xm], [ya, ym], init=init, method="gd", lr=0.1, tol=0.0,
                                   max_steps=200)
    np.testing.assert_allclose(ours.params, ref["records"][200], rtol=1e-12, atol=1e-15)


def test_multi_gd_with_one_task_equals_single_gd():
    X, y, _ = make_problem(20, 40, k=3, seed=4)
    init = np.random.default_rng(2).uniform(0.05, 0.3, size=(4, 40))
    single = solvers.train_single(X, y, init=init, method="gd", lr=0.2, tol=1e-12)
    multi_init = np.stack([init[[0, 2]], init[[1, 3]]])
    multi = solvers.train_multi([X], [y], init=multi_init, method="gd", lr=0.2, tol=1e-12)
    assert multi.steps == single.steps
    np.testing.assert_allclose(multi.beta[:, 0], single.beta, rtol=1e-10, atol=1e-14)


def test_multi_gd_conserves_invariant_at_small_lr():
    """w^2 - sum_t v_t^2 drifts by O(lr^2) per step, so by O(lr) over a fixed time 2.0."""
    Xa, ya, _ = make_problem(20, 30, k=3, seed=5)
    Xm, ym, _ = make_problem(6, 30, k=3, seed=6)
    init = np.random.default_rng(3).uniform(0.05, 0.3, size=(3, 2, 30))
    c0 = diagonal.conserved_multi(init)
    drift = []
    for lr in [0.02, 0.01]:
        with pytest.warns(solvers.ConvergenceWarning):
            r = solvers.train_multi([Xa, Xm], [ya, ym], init=init, method="gd", lr=lr, tol=0.0,
                                    max_steps=int(round(2.0 / lr)))
        drift.append(np.abs(diagonal.conserved_multi(r.params) - c0).max())
    assert 1.8 < drift[0] / drift[1] < 2.2


def test_weight_decay_gd_reaches_stationary_balanced_point():
    Xa, ya, _ = make_problem(20, 30, k=3, seed=7)
    Xm, ym, _ = make_problem(10, 30, k=3, seed=8)
    lam = 1e-2
    r = solvers.train_multi([Xa, Xm], [ya, ym], init=0.1, method="gd", lr=0.2, weight_decay=lam,
                            tol=1e-20)
    assert r.converged
    # at a stationary point of L + lam ||theta||^2 each coordinate is balanced
    balance = r.params[0] ** 2 - np.sum(r.params[1:] ** 2, axis=0)
    assert np.abs(balance).max() <= 1e-9


def test_batched_gd_equals_one_at_a_time():
    X, y, _ = make_problem(24, 50, k=4, seed=9)
    inits = [1e-2, 0.1, np.random.default_rng(4).uniform(0.01, 0.1, size=(4, 50))]
    lrs = [0.1, 0.05, 0.2]
    batch = solvers.train_single_batch(X, y, inits, method="gd", lr=lrs, tol=1e-9)
    for init, lr, b in zip(inits, lrs, batch):
        single = solvers.train_single(X, y, init=init, method="gd", lr=lr, tol=1e-9)
        assert b.steps == single.steps
        np.testing.assert_allclose(b.params, single.params, rtol=1e-12, atol=1e-15)


def test_batched_flow_equals_one_at_a_time():
    X, y, _ = make_problem(24, 50, k=4, seed=10)
    inits = [1e-3, 0.1, 1.0]
    for init, b in zip(inits, solvers.train_single_batch(X, y, inits, method="flow")):
        np.testing.assert_allclose(b.beta, solvers.train_single(X, y, init=init).beta,
                                   rtol=1e-12, atol=1e-15)


def test_divergence_restarts_at_lower_lr():
    X, y, _ = make_problem(20, 40, k=3, seed=11)
    r = solvers.train_single(X, y, init=0.1, method="gd", lr=50.0, tol=1e-8)
    assert r.restarts >= 1 and r.lr == pytest.approx(50.0 / 10 ** r.restarts)
    again = solvers.train_single(X, y, init=0.1, method="gd", lr=r.lr, tol=1e-8)
    np.testing.assert_array_equal(r.params, again.params)


def test_divergence_after_all_restarts_raises():
    X, y, _ = make_problem(20, 40, k=3, seed=12)
    with pytest.raises(solvers.DivergenceError, match="lr"):
        solvers.train_single(X, y, init=0.1, method="gd", lr=1e6, max_restarts=1)


def test_max_steps_warns_and_reports_unconverged():
    X, y, _ = make_problem(20, 40, k=3, seed=13)
    with pytest.warns(solvers.ConvergenceWarning, match="max_steps"):
        r = solvers.train_single(X, y, init=1e-3, method="gd", lr=0.1, max_steps=5)
    assert not r.converged and r.steps == 5


def test_gram_path_for_tall_data_matches_torch_and_stops_on_the_exact_loss():
    """n >= D runs GD through X^T X: same iterates and stopping step as the torch
    loop, and the reported loss is ||X beta - y||^2 / n, not the cancelling form."""
    X, y, _ = make_problem(120, 40, k=4, seed=4)
    assert X.shape[0] >= X.shape[1]
    init = np.random.default_rng(2).uniform(0.01, 0.2, size=(4, 40))
    ref = reference_gd_single(X, y, init, lr=0.05, tol=0.0, max_steps=300, record_steps=[300])
    with pytest.warns(solvers.ConvergenceWarning):
        ours = solvers.train_single(X, y, init=init, method="gd", lr=0.05, tol=0.0, max_steps=300)
    np.testing.assert_allclose(ours.params, ref["records"][300], rtol=1e-11, atol=1e-14)
    for tol in (1e-8, 1e-13):  # 1e-13: within the rounding bound for many steps
        ref = reference_gd_single(X, y, init, lr=0.05, tol=tol)
        ours = solvers.train_single(X, y, init=init, method="gd", lr=0.05, tol=tol)
        assert ours.converged and ref["converged"] and ours.steps == ref["steps"]
        exact = np.mean((X @ ours.beta - y) ** 2)
        assert ours.loss == pytest.approx(exact, rel=1e-12) and ours.loss < tol
