"""The exact single-task flow: its end (P-ent optimality), trajectory and invariants."""
import warnings

import numpy as np
import pytest

from featreuse import solvers
from featreuse.solvers import diagonal
from featreuse.solvers.reduced_flow import flow_end, flow_trajectory
from tests.solvers.conftest import make_problem


def row_space_distance(X, v):
    """Relative distance of v (D,) from the row space of X."""
    coef = np.linalg.lstsq(X.T, v, rcond=None)[0]
    return np.linalg.norm(X.T @ coef - v) / np.linalg.norm(v)


def pent_gradient(beta, init):
    """arcsinh(beta / 2 kappa) - delta, the gradient of the (P-ent) objective."""
    log_A, log_B = diagonal.log_AB(init)
    kappa = np.exp(0.5 * (log_A + log_B))
    delta = 0.5 * (log_A - log_B)
    return np.arcsinh(beta / (2 * kappa)) - delta


@pytest.mark.parametrize("alpha", [1e-3, 1e-1, 1.0, 10.0, 1e4])
def test_flow_end_interpolates_and_is_pent_optimal(alpha):
    X, y, _ = make_problem(30, 100, k=5, seed=2)
    r = solvers.train_single(X, y, init=alpha, method="flow")
    assert r.converged
    assert np.linalg.norm(X @ r.beta - y) / np.linalg.norm(y) <= 1e-9
    assert row_space_distance(X, pent_gradient(r.beta, r.init)) <= 1e-8


def test_flow_end_general_init_is_pent_optimal():
    X, y, _ = make_problem(25, 80, k=6, seed=3)
    rng = np.random.default_rng(0)
    init = rng.uniform(0.01, 0.5, size=(4, 80))  # unequal weights: general A, B per coordinate
    r = solvers.train_single(X, y, init=init, method="flow")
    assert np.linalg.norm(X @ r.beta - y) / np.linalg.norm(y) <= 1e-9
    assert row_space_distance(X, pent_gradient(r.beta, init)) <= 1e-8


def test_tiny_alpha_does_not_overflow():
    X, y, beta_true = make_problem(40, 100, k=3, seed=4)
    r = solvers.train_single(X, y, init=1e-30, method="flow")
    assert np.linalg.norm(X @ r.beta - y) / np.linalg.norm(y) <= 1e-9
    # the rich regime at tiny alpha recovers the 3-sparse teacher
    assert np.linalg.norm(r.beta - beta_true) <= 1e-3


def test_sign_constrained_coordinates():
    """w- = v- = 0 gives B = 0: beta >= 0, and z = log(beta / A) lies in the row space."""
    rng = np.random.default_rng(5)
    D, n = 50, 10
    X = rng.standard_normal((n, D))
    beta_true = np.abs(rng.standard_normal(D)) * (rng.random(D) < 0.2)
    y = X @ beta_true
    init = np.zeros((4, D))
    init[0] = init[1] = 0.1
    r = solvers.train_single(X, y, init=init, method="flow")
    assert np.all(r.beta >= 0)
    assert np.linalg.norm(X @ r.beta - y) / np.linalg.norm(y) <= 1e-9
    log_A, _ = diagonal.log_AB(init)
    assert row_space_distance(X, np.log(r.beta) - log_A) <= 1e-8


def test_sign_constraint_infeasible_raises():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((5, 3))
    y = X @ np.array([-1.0, 0.5, 0.2])  # n > D: beta is forced to have a negative entry
    init = np.zeros((4, 3))
    init[0] = init[1] = 0.1
    with pytest.raises(solvers.InfeasibleError, match="init"):
        solvers.train_single(X, y, init=init, method="flow")


def test_least_squares_end_when_y_outside_range():
    """n > D with noise: no interpolant; the flow ends at the least-squares fit."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((40, 10))
    y = X @ rng.standard_normal(10) + 0.1 * rng.standard_normal(40)
    with pytest.warns(solvers.ConvergenceWarning, match="least-squares fit"):
        r = solvers.train_single(X, y, init=0.1, method="flow")
    beta_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.linalg.norm(r.beta - beta_ls) / np.linalg.norm(beta_ls) <= 1e-9


def test_least_squares_end_rank_deficient():
    """y outside range(X) and n < D with repeated rows: Newton works on the range."""
    X, y, _ = make_problem(12, 30, k=3, seed=8)
    X = np.vstack([X, X[:3]])
    y = np.concatenate([y, y[:3] + 0.3])
    with pytest.warns(solvers.ConvergenceWarning, match="least-squares fit"):
        r = solvers.train_single(X, y, init=0.01, method="flow")
    assert not r.converged and not r.info["interpolates"]
    gradient = X.T @ (X @ r.beta - y)
    assert np.linalg.norm(gradient) <= 1e-9 * np.linalg.norm(X.T @ y)
    assert row_space_distance(X, pent_gradient(r.beta, r.init)) <= 1e-8


def _tall(noise, seed=11, n=30, D=10):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    return X, X @ rng.standard_normal(D) + noise * rng.standard_normal(n)


def test_converged_means_train_loss_below_tol_for_flow_and_gd():
    """n = 30 > D = 10 with noisy y: no beta reaches tol. The flow ends at the
    least-squares fit (X has full column rank, so that is beta_ls whatever the
    init) and, like GD stopping at max_steps, warns and reports converged=False."""
    X, y = _tall(noise=0.1)
    beta_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    loss_ls = np.mean((X @ beta_ls - y) ** 2)
    for init in (1e-3, 1.0):
        with pytest.warns(solvers.ConvergenceWarning,
                          match=r"y is not in the range of X.*least-squares fit.*tol=1e-10"):
            r = solvers.train_single(X, y, init=init, method="flow")
        assert not r.converged and not r.info["interpolates"]
        assert np.linalg.norm(r.beta - beta_ls) <= 1e-8 * np.linalg.norm(beta_ls)
        assert r.loss == pytest.approx(loss_ls, rel=1e-10)
    with pytest.warns(solvers.ConvergenceWarning, match="max_steps"):
        g = solvers.train_single(X, y, init=1.0, method="gd", lr=0.05, max_steps=20_000)
    assert not g.converged
    assert np.linalg.norm(g.beta - beta_ls) <= 1e-6 * np.linalg.norm(beta_ls)


def test_noiseless_tall_data_converges_without_warning():
    X, y = _tall(noise=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = solvers.train_single(X, y, init=1e-3, method="flow")
        g = solvers.train_single(X, y, init=1.0, method="gd", lr=0.05, max_steps=20_000)
        batch = solvers.train_single_batch(X, y, [1e-3, 1.0])
        ft = solvers.finetune(r, X, y, readout_init=0.1)
    assert r.converged and r.info["interpolates"] and r.loss < 1e-10
    assert g.converged and g.loss < 1e-10
    assert all(b.converged for b in batch) and ft.converged


def test_batch_and_finetune_report_the_least_squares_end_alike():
    X, y = _tall(noise=0.1)
    beta_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    with pytest.warns(solvers.ConvergenceWarning) as record:
        batch = solvers.train_single_batch(X, y, [1e-3, 1.0])
    assert [str(w.message).split(":")[0] for w in record] == [
        "train_single_batch run 0", "train_single_batch run 1"]
    assert not any(b.converged for b in batch)
    pre = solvers.train_single(X, X @ beta_ls, init=1e-3)
    assert pre.converged
    for train in ("all", "readout"):
        with pytest.warns(solvers.ConvergenceWarning, match="finetune: .*least-squares fit"):
            ft = solvers.finetune(pre, X, y, readout_init=0.1, train=train)
        assert not ft.converged
        assert np.linalg.norm(ft.beta - beta_ls) <= 1e-8 * np.linalg.norm(beta_ls)


def test_trajectory_conservation_and_ode():
    """Along the exact trajectory w^2 - v^2 is conserved and beta solves the flow ODE."""
    X, y, _ = make_problem(15, 40, k=3, seed=9)
    n = X.shape[0]
    init = np.random.default_rng(1).uniform(0.05, 0.3, size=(4, 40))
    log_A, log_B = diagonal.log_AB(init)
    times = np.linspace(0.0, 5.0, 11)
    tr = flow_trajectory(X, y, log_A, log_B, times)
    c0 = diagonal.conserved_single(init)
    for z in tr.z:
        params = diagonal.params_at(init, z)
        np.testing.assert_allclose(diagonal.conserved_single(params), c0, atol=1e-10, rtol=0)
    # d beta / dt = -(w+^2 + v+^2 + w-^2 + v-^2) g on the true flow: check with a
    # finite difference of the returned trajectory at a few times
    h = 1e-4
    for t in [0.5, 2.0, 4.0]:
        tt = flow_trajectory(X, y, log_A, log_B, [t - h, t, t + h])
        dbeta = (tt.beta[2] - tt.beta[0]) / (2 * h)
        params = diagonal.params_at(init, tt.z[1])
        g = (2.0 / n) * X.T @ (X @ tt.beta[1] - y)
        expected = -(params ** 2).sum(axis=0) * g
        assert np.linalg.norm(dbeta - expected) <= 1e-6 * np.linalg.norm(expected)


def test_trajectory_tends_to_end():
    X, y, _ = make_problem(15, 40, k=3, seed=10)
    r = solvers.train_single(X, y, init=0.1, method="flow", times=[1.0, 1e4, np.inf])
    assert r.trajectory.shape == (3, 40)
    np.testing.assert_allclose(r.trajectory[-1], r.beta)
    assert np.linalg.norm(r.trajectory[1] - r.beta) <= 1e-8 * np.linalg.norm(r.beta)


def test_gd_converges_to_flow_at_first_order():
    """|| beta_GD(k = t/eta) - beta_flow(t) || = O(eta)."""
    X, y, _ = make_problem(15, 40, k=3, seed=11)
    init = np.full((4, 40), 0.2)
    t = 2.0
    flow = solvers.train_single(X, y, init=init, method="flow", times=[t]).beta
    errors = []
    for eta in [4e-3, 2e-3, 1e-3]:
        with pytest.warns(solvers.ConvergenceWarning):
            gd = solvers.train_single(X, y, init=init, method="gd", lr=eta, tol=0.0,
                                      max_steps=int(round(t / eta)))
        errors.append(np.linalg.norm(gd.beta - flow))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(np.abs(ratios - 2.0) < 0.1), ratios


def test_readout_flow_is_weighted_min_norm_interpolant():
    X, y, _ = make_problem(20, 50, k=4, seed=12)
    rng = np.random.default_rng(2)
    init = rng.uniform(0.1, 1.0, size=(4, 50))
    r = solvers.train_single(X, y, init=init, method="flow", train="readout")
    W = init[0] ** 2 + init[2] ** 2
    beta0 = diagonal.beta_single(init)
    expected = beta0 + W * (X.T @ np.linalg.solve((X * W) @ X.T, y - X @ beta0))
    np.testing.assert_allclose(r.beta, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(r.params[[0, 2]], init[[0, 2]])
    gd = solvers.train_single(X, y, init=init, method="gd", lr=0.05, train="readout", tol=1e-26)
    assert np.linalg.norm(gd.beta - expected) <= 1e-9 * np.linalg.norm(expected)


def test_readout_trajectory_matches_small_step_gd():
    X, y, _ = make_problem(10, 30, k=3, seed=13)
    init = np.full((4, 30), 0.5)
    flow = solvers.train_single(X, y, init=init, method="flow", train="readout", times=[0.7]).beta
    with pytest.warns(solvers.ConvergenceWarning):
        gd = solvers.train_single(X, y, init=init, method="gd", lr=1e-4, train="readout", tol=0.0,
                                  max_steps=7000)
    assert np.linalg.norm(gd.beta - flow) <= 1e-3 * np.linalg.norm(flow)


def test_finetune_flow_is_exact_pent_of_finetune_init():
    X, y, _ = make_problem(30, 60, k=4, seed=14)
    Xm, ym, _ = make_problem(10, 60, k=4, seed=15)
    pre = solvers.train_single(X, y, init=1e-2, method="flow")
    ft = solvers.finetune(pre, Xm, ym, rescale=0.1, readout_init=1e-4)
    expected_init = pre.params.copy()
    expected_init[[0, 2]] *= 0.1
    expected_init[[1, 3]] = 1e-4
    np.testing.assert_array_equal(ft.init, expected_init)
    assert np.linalg.norm(Xm @ ft.beta - ym) / np.linalg.norm(ym) <= 1e-9
    assert row_space_distance(Xm, pent_gradient(ft.beta, ft.init)) <= 1e-8


def test_flow_end_newton_iterations_are_few():
    X, y, _ = make_problem(64, 1000, k=40, seed=16)
    log_A, log_B = diagonal.log_AB(diagonal.single_init(1e-3, 1000))
    end = flow_end(X, y, log_A, log_B)
    assert end.converged and end.iterations <= 60
