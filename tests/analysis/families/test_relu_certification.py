"""The certification of PT+FT runs on hand-built networks whose mechanism is known."""
import numpy as np
import pytest

from featreuse.analysis.families.relu.certification import (
    CHANGED, RECRUITED, REUSED, UNRESOLVED, certify, clusters, predict)

K_FREE = 6          # pretrained units without a cluster (tiny, off the auxiliary directions)
V0 = 1e-3 * np.sqrt(2.0 / 12)


def _teacher(rho):
    from featreuse.nets import make_teacher
    return make_teacher(3, rho=rho)


def _pretrained(teacher, rng):
    """Balanced pretrained network: unit j = aux unit j with ||w|| = |a| = sqrt(1/sqrt(6))."""
    m0 = np.sqrt(np.abs(teacher.aux_readout))
    free = rng.standard_normal((K_FREE, teacher.D))
    free -= free @ teacher.aux_units.T @ teacher.aux_units  # off every auxiliary direction
    free *= 1e-3 / np.linalg.norm(free, axis=1, keepdims=True)
    return np.vstack([m0[:, None] * teacher.aux_units, free])


def _carry(W, a, rows, directions, beta):
    """Units ``rows`` implement ``directions`` (unit rows) with output weights ``beta``."""
    W, a = W.copy(), a.copy()
    W[rows] = np.sqrt(np.abs(beta))[:, None] * directions
    a[rows] = np.sign(beta) * np.sqrt(np.abs(beta))
    return W, a


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_pretrained_units_fall_in_their_clusters(rng):
    teacher = _teacher(1.0)
    W_pre = _pretrained(teacher, rng)
    assert list(clusters(W_pre, teacher.aux_units)) == list(range(6)) + [-1] * K_FREE


def test_identical_units_reused_in_place(rng):
    teacher = _teacher(1.0)
    W_pre = _pretrained(teacher, rng)
    W1, a1 = _carry(W_pre, np.zeros(12), np.arange(6), teacher.main_units,
                    teacher.main_readout)
    scalars, arrays = certify(teacher, W_pre, W_pre, W1, a1, V0)
    assert list(arrays["cert_predicted"]) == [REUSED] * 6
    assert list(arrays["cert_measured"]) == [REUSED] * 6
    assert scalars["penalty_accuracy"] == 1.0 and scalars["share_reused"] == 1.0


def test_correlated_units_rotated(rng):
    teacher = _teacher(0.9)
    W_pre = _pretrained(teacher, rng)
    W1, a1 = _carry(W_pre, np.zeros(12), np.arange(6), teacher.main_units,
                    teacher.main_readout)
    scalars, arrays = certify(teacher, W_pre, W_pre, W1, a1, V0)
    assert list(arrays["cert_predicted"]) == [CHANGED] * 6
    assert list(arrays["cert_measured"]) == [CHANGED] * 6
    np.testing.assert_allclose(arrays["cert_kept_cos"], 0.9, rtol=1e-12)
    assert scalars["penalty_accuracy"] == 1.0 and scalars["share_changed"] == 1.0


def test_new_units_recruited_from_free_units(rng):
    teacher = _teacher(0.0)
    W_pre = _pretrained(teacher, rng)
    W1, a1 = _carry(W_pre, np.zeros(12), 6 + np.arange(6), teacher.main_units,
                    teacher.main_readout)
    scalars, arrays = certify(teacher, W_pre, W_pre, W1, a1, V0)
    assert list(arrays["cert_predicted"]) == [RECRUITED] * 6
    assert list(arrays["cert_measured"]) == [RECRUITED] * 6
    assert scalars["penalty_accuracy"] == 1.0 and scalars["share_recruited"] == 1.0


def test_a_network_that_learned_nothing_is_unresolved_and_never_agrees(rng):
    teacher = _teacher(1.0)
    W_pre = _pretrained(teacher, rng)
    scalars, arrays = certify(teacher, W_pre, W_pre, W_pre, np.full(12, 1e-9), V0)
    assert list(arrays["cert_measured"]) == [UNRESOLVED] * 6
    assert scalars["penalty_accuracy"] == 0.0


def test_large_rescaling_makes_rotation_cost_the_constant_m0_squared_gap(rng):
    # LL: theta < 1 costs ~ m0^2 (1 - theta^2) whatever beta; at s = 10 that exceeds
    # a new unit's ~2 beta, so a correlated main unit is predicted recruited
    teacher = _teacher(0.9)
    W_pre = _pretrained(teacher, rng)
    s = 10.0
    pred = predict(teacher, clusters(W_pre, teacher.aux_units), s * W_pre, V0)
    assert list(pred["predicted"]) == [RECRUITED] * 6
    identical = predict(_teacher(1.0), clusters(W_pre, teacher.aux_units), s * W_pre, V0)
    gap = pred["r_pretrained"] - identical["r_pretrained"]
    np.testing.assert_allclose(gap, pred["m0_sq"] * (1 - 0.9 ** 2), rtol=1e-3)
    # a new unit costs 2 beta up to O(v0 / sqrt(beta)) ~ 6e-4 relative
    np.testing.assert_allclose(pred["r_new"], 2 * pred["beta"], rtol=1e-3)
