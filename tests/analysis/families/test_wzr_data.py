"""The WZR family's synthetic tasks and exact errors."""
import numpy as np
import pytest

from featreuse.analysis.families.wzr.data import (corrupt_labels, covariance, fig3_source, fig3_target,
                                        fig3_tasks, low_rank_thetas, shared_data)
from featreuse.analysis.families.wzr.risk import excess_mse, null_mse


def test_fig3_parameters():
    t = fig3_tasks(0, 40, 4, 10.0, 0.96)
    assert np.linalg.norm(t.theta_target) == pytest.approx(1.0)
    assert np.linalg.norm(t.theta_source) == pytest.approx(1.0)
    assert t.theta_target @ t.theta_source == pytest.approx(0.96, rel=1e-12)
    big_1, big_2 = np.flatnonzero(t.scales_target == 10), np.flatnonzero(t.scales_rescaled == 10)
    assert len(big_1) == len(big_2) == 4 and not set(big_1) & set(big_2)     # S_1, S_2 disjoint
    for Q in (t.Q_target, t.Q_rotated):
        assert np.allclose(Q.T @ Q, np.eye(40), atol=1e-12)


def test_generator_x_equals_r_d_q_has_covariance_q_d2_q():
    t = fig3_tasks(1, 6, 1, 3.0, 0.9)
    for source in ("aligned", "rotated", "rescaled"):
        X, _ = fig3_source(1, t, source, 40000, 0.0)
        scales, Q = t.geometry(source)
        C = covariance(scales, Q)
        assert np.allclose(X.T @ X / len(X), C, atol=0.05 * np.abs(C).max())
    # the three covariances differ (the printed X = R Q D would make Q irrelevant)
    covs = [covariance(*t.geometry(s)) for s in ("aligned", "rotated", "rescaled")]
    assert min(np.abs(covs[0] - c).max() for c in covs[1:]) > 1.0
    assert np.allclose(covs[0], t.target_covariance())


def test_smaller_samples_are_prefixes_and_the_sources_share_r():
    t = fig3_tasks(2, 10, 2, 10.0, 0.96)
    X50, y50 = fig3_source(2, t, "rotated", 50, 1.5)
    X200, y200 = fig3_source(2, t, "rotated", 200, 1.5)
    assert np.array_equal(X50, X200[:50]) and np.array_equal(y50, y200[:50])
    Xa, _ = fig3_source(2, t, "aligned", 50, 0.0)
    Xr, _ = fig3_source(2, t, "rotated", 50, 0.0)
    # X = R D Q with the same R: undo each rotation and scaling
    assert np.allclose(Xa @ t.Q_target.T / t.scales_target,
                       Xr @ t.Q_rotated.T / t.scales_target)
    X, y = fig3_target(2, t, 30, 0.0)
    assert np.allclose(y, X @ t.theta_target)


def test_low_rank_tasks_and_label_corruption():
    th = low_rank_thetas(3, 12, 5, 2, 0.0)
    assert np.allclose(np.linalg.norm(th, axis=0), 1.0)
    assert np.linalg.matrix_rank(th, tol=1e-10) == 2
    assert np.linalg.matrix_rank(low_rank_thetas(3, 12, 5, 2, 0.1), tol=1e-10) == 5
    X, ys = shared_data(3, th, 50, 0.0)
    assert np.allclose(ys[4], X @ th[:, 4])
    y, rows = corrupt_labels(3, ys[4], 0.2, 1.0)
    assert rows.size == 10 and np.array_equal(y[np.setdiff1d(range(50), rows)],
                                              np.delete(ys[4], rows))
    assert not np.any(y[rows] == ys[4][rows])


def test_exact_errors_match_a_test_sample():
    t = fig3_tasks(4, 8, 2, 5.0, 0.9)
    cov = t.target_covariance()
    beta = t.theta_source
    X, y = fig3_target(4, t, 200000, 0.0)
    assert excess_mse(beta, t.theta_target, cov) == pytest.approx(
        np.mean((X @ beta - y) ** 2), rel=0.02)
    assert null_mse(t.theta_target, cov) == pytest.approx(np.mean(y ** 2), rel=0.02)
    assert excess_mse(np.zeros(8), t.theta_target, cov) == null_mse(t.theta_target, cov)
